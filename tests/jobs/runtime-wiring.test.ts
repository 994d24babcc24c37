import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJobsProcess, type JobsProcess } from "../../src/jobs-process/start-jobs-process";
import { QUEUES } from "../../src/jobs-process/queue-names";
import type { Services } from "../../src/server/runtime/services";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { createApp, createUser, createWorker } from "./fixtures/seed-data";
import { testServices } from "./fixtures/test-services";

let t: TestDatabase;
let jobs: Services;
let hub: Services;
let runtime: JobsProcess;

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = testServices(t.url);
  hub = testServices(t.url);
  runtime = await startJobsProcess(jobs, { ticks: false });
});
afterAll(async () => {
  await runtime.stop();
  await jobs.close();
  await hub.close();
  await t.drop();
});

describe("jobs process wiring", () => {
  it("hub stats snapshots on the bus reach the usage recorder; the alert tick gives running apps default rules", async () => {
    const user = await createUser(t.db);
    const worker = await createWorker(t.db);
    const app = await createApp(t.db, user.id, { status: "running", workerId: worker.id });
    await hub.bus.publish("stats.snapshot", {
      at: Date.now(),
      apps: [{ appId: app.id, workerId: worker.id, cpuPct: 42, memBytes: 64 * 2 ** 20, memLimit: 256 * 2 ** 20, netMbps: 2, netTotalBytes: 5_000, diskMbps: 0, updatedAt: Date.now() }],
    });
    await expect.poll(() => runtime.stats.get(app.id)?.cpuPct, { timeout: 15_000 }).toBe(42);

    await runtime.boss.send(QUEUES.usageTick, {});
    await expect.poll(async () => (await t.db.usageSample.findFirst({ where: { appId: app.id } }))?.cpuMax, { timeout: 15_000 }).toBe(42);

    await runtime.boss.send(QUEUES.alertTick, {});
    await expect.poll(() => t.db.appAlertRule.count({ where: { appId: app.id } }), { timeout: 15_000 }).toBe(5);
    // The first over-threshold observation starts a streak (CPU default threshold 90 % is not reached).
    const cpu = await t.db.appAlertRule.findFirstOrThrow({ where: { appId: app.id, metric: "cpu" } });
    expect(cpu.overSince).toBeNull();
  });

  it("records its heartbeat for the status page and removes it on stop", async () => {
    // The first beat is written just after start, without start() waiting for it.
    await expect.poll(() => t.db.processHeartbeat.count({ where: { kind: "jobs" } }), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    expect(runtime.describe()).toHaveProperty("mailCatcherPort");
  });
});
