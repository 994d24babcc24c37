import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneRuntimeLogs, prunePendingTotps, pruneSessions, pruneStaleHeartbeats, pruneUsageSamples } from "../../src/server/pruning/prune-tasks";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { createApp, createUser } from "./fixtures/seed-data";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
const later = (d: number) => new Date(Date.now() + d * 86_400_000);

describe("pruning", () => {
  it("removes revoked, idle and capped sessions and expired 2FA challenges, nothing else", async () => {
    const user = await createUser(t.db);
    const mk = (tag: string, data: { lastSeenAt?: Date; expiresAt?: Date; revokedAt?: Date | null }) =>
      t.db.session.create({ data: { userId: user.id, tokenHash: tag, expiresAt: data.expiresAt ?? later(60), lastSeenAt: data.lastSeenAt ?? new Date(), revokedAt: data.revokedAt ?? null } });
    await mk("live", {});
    await mk("revoked", { revokedAt: new Date() });
    await mk("idle", { lastSeenAt: daysAgo(31) });
    await mk("capped", { expiresAt: daysAgo(1) });
    await mk("nearly-idle", { lastSeenAt: daysAgo(29) });
    expect(await pruneSessions(t.db)).toBe(3);
    expect((await t.db.session.findMany({ orderBy: { tokenHash: "asc" } })).map((s) => s.tokenHash)).toEqual(["live", "nearly-idle"]);
    // Running twice is harmless.
    expect(await pruneSessions(t.db)).toBe(0);

    await t.db.pendingTotp.create({ data: { tokenHash: "old", userId: user.id, provider: "password", expiresAt: daysAgo(0.01) } });
    await t.db.pendingTotp.create({ data: { tokenHash: "new", userId: user.id, provider: "password", expiresAt: later(0.01) } });
    expect(await prunePendingTotps(t.db)).toBe(1);
    expect(await t.db.pendingTotp.count()).toBe(1);
  });

  it("drops usage older than 90 days and runtime logs beyond the retention, in batches", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id);
    await t.db.usageSample.createMany({ data: [{ appId: app.id, userId: user.id, bucketStart: daysAgo(91) }, { appId: app.id, userId: user.id, bucketStart: daysAgo(89) }] });
    expect(await pruneUsageSamples(t.db)).toBe(1);
    expect(await t.db.usageSample.count()).toBe(1);

    await t.db.$executeRaw`
      INSERT INTO runtime_logs (app_id, ts, stream, line)
      SELECT ${app.id}, now() - (CASE WHEN g <= 25 THEN interval '15 days' ELSE interval '1 day' END), 'stdout', 'line ' || g
      FROM generate_series(1, 30) g`;
    expect(await pruneRuntimeLogs(t.db, 14, new Date(), 10)).toBe(25);
    expect(await t.db.runtimeLog.count()).toBe(5);
  });

  it("removes heartbeats of processes that died without cleaning up", async () => {
    await t.db.processHeartbeat.create({ data: { id: "jobs:dead", kind: "jobs", lastSeenAt: new Date(Date.now() - 2 * 3_600_000) } });
    await t.db.processHeartbeat.create({ data: { id: "jobs:alive", kind: "jobs" } });
    expect(await pruneStaleHeartbeats(t.db)).toBe(1);
    expect((await t.db.processHeartbeat.findMany()).map((h) => h.id)).toEqual(["jobs:alive"]);
  });
});
