import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "../../src/server/bus/channels";
import { createBus } from "../../src/server/bus/create-bus";
import { LiveStatsStore } from "../../src/server/stats/live-stats-store";
import { rotateWorkerKey } from "../../src/server/workers/rotate-worker-key";
import { startTestRedis, type TestRedis } from "../helpers/redis-server";
import { seedApp, seedAssignedJob, seedUser, seedWorker, startHubFixture, type HubFixture } from "./helpers/hub-fixture";
import { TestWorker } from "./helpers/worker-client";

/** With REDIS_URL the bus and the worker lookup cache run on a real Redis. */
describe("ws-hub with Redis", () => {
  let redis: TestRedis;
  let fx: HubFixture;
  let otherProcess: Bus;
  beforeAll(async () => {
    // Answers PING before the hub starts (a bare TCP connect can succeed before Redis serves).
    redis = await startTestRedis();
    fx = await startHubFixture({ statsPublishMs: 100 }, { REDIS_URL: redis.url });
    otherProcess = createBus({ databaseUrl: fx.tdb.url, redisUrl: redis.url });
  });
  afterAll(async () => {
    await otherProcess?.close();
    await fx?.close();
    await redis?.stop();
  });

  it("pushes assigned jobs, shares stats and honours key rotation over Redis", async () => {
    const userId = await seedUser(fx.tdb);
    const w = await seedWorker(fx.tdb);
    const app = await seedApp(fx.tdb, userId, w.id);
    const t = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);

    const { job } = await seedAssignedJob(fx, app.id, w.id, { type: "start" });
    await otherProcess.publish("job.assigned", { jobId: job.id, workerId: w.id });
    expect((await t.waitFor((f) => f.type === "job")).data.job_id).toBe(job.id);

    const reader = new LiveStatsStore();
    await reader.subscribe(otherProcess);
    t.send("app_stats", { apps: [{ app_id: app.id, cpu_pct: 7, mem_bytes: 1, mem_limit: 2, net_mbps: 0, net_total_bytes: 0, disk_mbps: 0 }] });
    await expect.poll(() => reader.get(app.id)?.cpuPct, { timeout: 15_000 }).toBe(7);

    // Rotation from another process: the shared Redis cache is invalidated and the socket closed.
    const rotated = await rotateWorkerKey({ db: fx.tdb.db, cache: fx.services.cache, bus: otherProcess }, w.id);
    expect(await t.waitClose()).toBe(4001);
    await expect(TestWorker.connect(fx.url, w.apiKey, w.apiKey)).rejects.toThrow(/401/);
    const again = await TestWorker.connect(fx.url, rotated.apiKey, rotated.apiKey);
    again.close();
  });
});
