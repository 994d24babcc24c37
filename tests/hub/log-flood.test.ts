import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedApp, seedUser, seedWorker, startHubFixture, type HubFixture } from "./helpers/hub-fixture";
import { TestWorker } from "./helpers/worker-client";

describe("runtime log budget", () => {
  let fx: HubFixture;
  beforeAll(async () => {
    fx = await startHubFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  it("a worker flooding logs gets rate_limited (frames dropped); another worker is unaffected", async () => {
    const userId = await seedUser(fx.tdb);
    const a = await seedWorker(fx.tdb);
    const b = await seedWorker(fx.tdb);
    const appA = await seedApp(fx.tdb, userId, a.id);
    const appB = await seedApp(fx.tdb, userId, b.id);
    const flooder = await TestWorker.connect(fx.url, a.apiKey, a.apiKey);
    const calm = await TestWorker.connect(fx.url, b.apiKey, b.apiKey);
    const line = "x".repeat(1000);
    // ~100 KiB per frame: the 1 MiB burst admits about ten, then the 256 KiB/s refill is far too slow.
    // The bucket refills while the hub stores the admitted frames (slowly, on a loaded machine: 2-3
    // more frames a second); 80 frames keep the refused ones well above 25 however long that takes.
    const FRAMES = 80;
    const frame = { lines: Array.from({ length: 100 }, () => ({ app_id: appA.id, ts: Date.now(), stream: "stdout", line })) };
    const seqs: number[] = [];
    for (let i = 0; i < FRAMES; i++) seqs.push(flooder.send("runtime_log", frame));
    const calmSeqs: number[] = [];
    for (let i = 0; i < 5; i++) calmSeqs.push(calm.send("runtime_log", { lines: [{ app_id: appB.id, ts: Date.now(), stream: "stderr", line: `calm ${i}` }] }));
    await flooder.roundTrip();
    await calm.roundTrip();
    const limited = flooder.errors().filter((e) => e.data.code === "rate_limited").map((e) => e.re);
    expect(limited.length).toBeGreaterThanOrEqual(25);
    expect(limited.every((s) => seqs.includes(s))).toBe(true);
    const stored = await fx.tdb.db.runtimeLog.count({ where: { appId: appA.id } });
    // Everything not refused was stored; nothing refused was.
    expect(stored).toBe((FRAMES - limited.length) * 100);
    expect(calm.errors().filter((e) => calmSeqs.includes(e.re))).toHaveLength(0);
    expect(await fx.tdb.db.runtimeLog.count({ where: { appId: appB.id } })).toBe(5);
    // The flooder stays connected and can log again once the bucket refills: 500 ms refill 128 KiB,
    // far more than the next frame needs (the bucket refills with time, there is nothing to poll).
    await new Promise((r) => setTimeout(r, 500));
    const later = flooder.send("runtime_log", { lines: [{ app_id: appA.id, ts: Date.now(), stream: "stdout", line: "after the flood" }] });
    await flooder.roundTrip();
    expect(flooder.errors().find((e) => e.re === later)).toBeUndefined();
    flooder.close();
    calm.close();
  });
});
