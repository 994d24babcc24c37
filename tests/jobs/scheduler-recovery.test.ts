import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlatformEvent, PlatformEventSink } from "../../src/server/events/platform-events";
import { recoverStuckJobs, stuckAfterMinutesFor } from "../../src/server/jobs/recover-stuck-jobs";
import { PlanRegistry } from "../../src/server/plans/plans";
import { checkWorkerHealth } from "../../src/server/workers/worker-health";
import { getWorkerStats, listWorkersWithLoad } from "../../src/server/workers/fleet-stats";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { createApp, createJob, createUser, createWorker } from "./fixtures/seed-data";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

function recordingSink(): PlatformEventSink & { events: PlatformEvent[] } {
  const events: PlatformEvent[] = [];
  return { events, emit: async (e) => void events.push(e), close: async () => undefined };
}

describe("recoverStuckJobs", () => {
  it("fails jobs assigned more than 15 minutes ago, once, releasing capacity and failing the deployment and app", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id, { status: "deploying" });
    const worker = await createWorker(t.db, { usedCpu: 1.5, usedMem: 1536 });
    const deployment = await t.db.deployment.create({ data: { appId: app.id, userId: user.id, status: "building", commitSha: "abcdef1234567" } });
    const stuck = await createJob(t.db, app.id, { reqCpu: 1, reqMem: 1024, deploymentId: deployment.id });
    const fresh = await createJob(t.db, app.id, { reqCpu: 0.5, reqMem: 512 });
    await t.db.job.update({ where: { id: stuck.id }, data: { status: "processing", workerId: worker.id, assignedAt: new Date(Date.now() - 16 * 60_000) } });
    await t.db.job.update({ where: { id: fresh.id }, data: { status: "assigned", workerId: worker.id, assignedAt: new Date(Date.now() - 60_000) } });

    const sink = recordingSink();
    // Two recoveries racing (two processes, or a tick firing twice) act once.
    const [a, b] = await Promise.all([recoverStuckJobs(t.db, { events: sink }), recoverStuckJobs(t.db, { events: sink })]);
    expect([...a.failedJobIds, ...b.failedJobIds]).toEqual([stuck.id]);

    const job = await t.db.job.findUniqueOrThrow({ where: { id: stuck.id } });
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/15 minutes/);
    expect((await t.db.job.findUniqueOrThrow({ where: { id: fresh.id } })).status).toBe("assigned");
    const w = await t.db.worker.findUniqueOrThrow({ where: { id: worker.id } });
    expect([w.usedCpu, w.usedMem]).toEqual([0.5, 512]);
    expect((await t.db.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).status).toBe("failed");
    expect((await t.db.app.findUniqueOrThrow({ where: { id: app.id } })).status).toBe("failed");
    expect(sink.events.map((e) => e.type)).toEqual(["deployment.failed"]);

    // No retry: a later pass leaves it alone.
    expect((await recoverStuckJobs(t.db, { events: sink })).failedJobIds).toEqual([]);
  });
});

describe("checkWorkerHealth", () => {
  it("marks workers silent for 2 minutes offline and stops their running apps, once", async () => {
    const user = await createUser(t.db);
    const silent = await createWorker(t.db, { lastHeartbeat: new Date(Date.now() - 3 * 60_000) });
    const alive = await createWorker(t.db, { lastHeartbeat: new Date(Date.now() - 30_000) });
    const onSilent = await createApp(t.db, user.id, { status: "running", workerId: silent.id });
    const stoppedAlready = await createApp(t.db, user.id, { status: "stopped", workerId: silent.id });
    const onAlive = await createApp(t.db, user.id, { status: "running", workerId: alive.id });
    const sink = recordingSink();

    const [a, b] = await Promise.all([checkWorkerHealth(t.db, { events: sink }), checkWorkerHealth(t.db, { events: sink })]);
    expect([...a.offlineWorkerIds, ...b.offlineWorkerIds]).toEqual([silent.id]);
    expect([...a.stoppedAppIds, ...b.stoppedAppIds]).toEqual([onSilent.id]);

    expect((await t.db.worker.findUniqueOrThrow({ where: { id: silent.id } })).status).toBe("offline");
    expect((await t.db.worker.findUniqueOrThrow({ where: { id: alive.id } })).status).toBe("online");
    const app = await t.db.app.findUniqueOrThrow({ where: { id: onSilent.id } });
    expect(app.status).toBe("stopped");
    expect(app.statusReason).toContain("went offline");
    expect((await t.db.app.findUniqueOrThrow({ where: { id: onAlive.id } })).status).toBe("running");
    expect((await t.db.app.findUniqueOrThrow({ where: { id: stoppedAlready.id } })).status).toBe("stopped");
    expect(await t.db.appEvent.count({ where: { appId: onSilent.id, kind: "stopped" } })).toBe(1);
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({ type: "app.stopped", appId: onSilent.id, userId: user.id });

    const stats = await getWorkerStats(t.db);
    expect(stats.online).toBeGreaterThanOrEqual(1);
    expect(stats.offline).toBeGreaterThanOrEqual(1);
    const rows = await listWorkersWithLoad(t.db);
    expect(rows.find((r) => r.id === alive.id)?.runningApps).toBe(1);
  });
});

describe("the stuck-job window", () => {
  it("outlasts the longest build any plan allows", () => {
    expect(stuckAfterMinutesFor(new PlanRegistry())).toBe(30);
    expect(stuckAfterMinutesFor(new PlanRegistry([{ id: "business", buildTimeoutSeconds: 3_600 }]))).toBe(75);
  });
});
