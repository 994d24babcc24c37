import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveAppStats } from "../../src/server/stats/live-app-stats";
import { recordUsageTick } from "../../src/server/usage/record-usage-tick";
import { usageSeries } from "../../src/server/usage/usage-series";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { createApp, createUser } from "./fixtures/seed-data";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

const MiB = 2 ** 20;
function source(list: Partial<LiveAppStats>[]) {
  return { all: () => list.map((s) => ({ appId: 0, workerId: 1, cpuPct: 0, memBytes: 0, memLimit: 512 * MiB, netMbps: 0, netTotalBytes: 0, diskMbps: 0, updatedAt: Date.now(), ...s })) };
}
// 12:00:10 UTC; the 5-minute bucket is 12:00–12:05.
const base = new Date("2026-11-20T12:00:10Z");
const at = (min: number) => new Date(base.getTime() + min * 60_000);

describe("usage recorder", () => {
  it("folds one-minute ticks into 5-minute buckets with avg/max, once per tick slot, handling counter resets", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id, { status: "running" });
    const stopped = await createApp(t.db, user.id, { status: "stopped" });

    await recordUsageTick(t.db, source([{ appId: app.id, cpuPct: 10, memBytes: 100 * MiB, netMbps: 1, netTotalBytes: 1_000 }, { appId: stopped.id, cpuPct: 99 }]), at(0));
    // The same tick firing twice (two processes, or pg-boss redelivery) folds once.
    const again = source([{ appId: app.id, cpuPct: 30, memBytes: 300 * MiB, netMbps: 3, netTotalBytes: 5_000 }]);
    await Promise.all([recordUsageTick(t.db, again, at(1)), recordUsageTick(t.db, again, at(1.2))]);
    // The byte counter went down: the worker restarted the app, so 700 bytes are new.
    await recordUsageTick(t.db, source([{ appId: app.id, cpuPct: 20, memBytes: 200 * MiB, netMbps: 2, netTotalBytes: 700 }]), at(2));

    const rows = await t.db.usageSample.findMany({ where: { appId: app.id } });
    expect(rows).toHaveLength(1);
    const s = rows[0]!;
    expect(s.bucketStart.toISOString()).toBe("2026-11-20T12:00:00.000Z");
    expect(s.samples).toBe(3);
    expect(s.cpuAvg).toBeCloseTo(20);
    expect(s.cpuMax).toBe(30);
    expect(Number(s.memAvg)).toBe(200 * MiB);
    expect(Number(s.memMax)).toBe(300 * MiB);
    expect(s.netAvgMbps).toBeCloseTo(2);
    expect(s.netMaxMbps).toBe(3);
    // First sighting counts 0, then 5,000 − 1,000, then 700 after the reset.
    expect(Number(s.netBytes)).toBe(4_000 + 700);
    expect(await t.db.usageSample.count({ where: { appId: stopped.id } })).toBe(0);

    // Next bucket starts a new row; the delta continues from the last counter.
    await recordUsageTick(t.db, source([{ appId: app.id, cpuPct: 50, memBytes: 50 * MiB, netMbps: 5, netTotalBytes: 1_700 }]), at(5));
    const next = await t.db.usageSample.findUniqueOrThrow({ where: { appId_bucketStart: { appId: app.id, bucketStart: new Date("2026-11-20T12:05:00Z") } } });
    expect(next.samples).toBe(1);
    expect(Number(next.netBytes)).toBe(1_000);

    const series = await usageSeries(t.db, user.id, app.id, "1h", at(10));
    expect(series.map((p) => p.cpuMax)).toEqual([30, 50]);
    // Another user's id sees nothing.
    const other = await createUser(t.db);
    expect(await usageSeries(t.db, other.id, app.id, "1h", at(10))).toEqual([]);
  });

  it("the first tick of a bucket continues the byte delta from the app's latest sample, once when two processes open it; a late tick is dropped", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id, { status: "running" });
    const snap = (netTotalBytes: number, cpuPct = 10) => source([{ appId: app.id, cpuPct, netTotalBytes }]);
    await recordUsageTick(t.db, snap(1_000), at(3));
    // 12:10 opens a bucket two buckets on (the app was not sampled in 12:05–12:10): its bytes
    // count from the counter the 12:00 sample kept. Two processes open it at once; it folds once.
    const opened = await Promise.all([recordUsageTick(t.db, snap(4_000), at(10)), recordUsageTick(t.db, snap(4_000), at(10.5))]);
    expect(opened.map((r) => r.folded).sort()).toEqual([0, 1]);
    const bucket = (iso: string) => t.db.usageSample.findUniqueOrThrow({ where: { appId_bucketStart: { appId: app.id, bucketStart: new Date(iso) } } });
    expect(await bucket("2026-11-20T12:10:00Z")).toMatchObject({ samples: 1, netBytes: 3_000n });
    // A tick from a slot before the latest sample (a delayed job) changes nothing.
    expect(await recordUsageTick(t.db, snap(9_000, 99), at(4))).toEqual({ folded: 0 });
    expect(await bucket("2026-11-20T12:00:00Z")).toMatchObject({ samples: 1, cpuMax: 10, netBytes: 0n });
    expect(await bucket("2026-11-20T12:10:00Z")).toMatchObject({ samples: 1, netBytes: 3_000n });
  });

  it("a deleted user's samples go with their apps", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id, { status: "running" });
    await recordUsageTick(t.db, source([{ appId: app.id, cpuPct: 5 }]), at(0));
    expect(await t.db.usageSample.count({ where: { userId: user.id } })).toBe(1);
    await t.db.user.delete({ where: { id: user.id } });
    expect(await t.db.usageSample.count({ where: { userId: user.id } })).toBe(0);
  });

  it("an erased app's samples go with it, and only its own (no foreign key: the trigger on apps does it)", async () => {
    const user = await createUser(t.db);
    const erased = await createApp(t.db, user.id, { status: "running" });
    const kept = await createApp(t.db, user.id, { status: "running" });
    await recordUsageTick(t.db, source([{ appId: erased.id, cpuPct: 5 }, { appId: kept.id, cpuPct: 7 }]), at(0));
    await recordUsageTick(t.db, source([{ appId: erased.id, cpuPct: 5 }, { appId: kept.id, cpuPct: 7 }]), at(5));
    expect(await t.db.usageSample.count({ where: { appId: erased.id } })).toBe(2);
    await t.db.app.delete({ where: { id: erased.id } });
    expect(await t.db.usageSample.count({ where: { appId: erased.id } })).toBe(0);
    expect(await t.db.usageSample.count({ where: { appId: kept.id } })).toBe(2);
  });
});
