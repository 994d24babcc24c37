import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assignAllPending, assignPendingJobs } from "../../src/server/jobs/assign-jobs";
import { releaseWorkerResources } from "../../src/server/jobs/release-worker-resources";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { createApp, createJob, createUser, createWorker } from "./fixtures/seed-data";

let t: TestDatabase;
let appId: number;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());
beforeEach(async () => {
  await t.db.job.deleteMany();
  await t.db.app.deleteMany();
  await t.db.worker.deleteMany();
  const user = await createUser(t.db);
  appId = (await createApp(t.db, user.id, { status: "pending" })).id;
});

describe("assignPendingJobs", () => {
  it("puts a job on the lowest-utilisation online worker and reserves its capacity", async () => {
    const busy = await createWorker(t.db, { capCpu: 4, capMem: 4096, usedCpu: 3, usedMem: 3000 });
    const idle = await createWorker(t.db, { capCpu: 4, capMem: 4096 });
    await createWorker(t.db, { capCpu: 8, capMem: 8192, status: "offline" });
    const job = await createJob(t.db, appId, { reqCpu: 0.5, reqMem: 512 });

    const result = await assignPendingJobs(t.db, null);

    expect(result.assigned).toEqual([{ jobId: job.id, workerId: idle.id }]);
    const stored = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(stored.status).toBe("assigned");
    expect(stored.workerId).toBe(idle.id);
    expect(stored.assignedAt).not.toBeNull();
    const w = await t.db.worker.findUniqueOrThrow({ where: { id: idle.id } });
    expect([w.usedCpu, w.usedMem]).toEqual([0.5, 512]);
    const b = await t.db.worker.findUniqueOrThrow({ where: { id: busy.id } });
    expect([b.usedCpu, b.usedMem]).toEqual([3, 3000]);
  });

  it("weighs running apps into the score", async () => {
    const crowded = await createWorker(t.db, { runningApps: 90 });
    const quiet = await createWorker(t.db, { runningApps: 1 });
    await createJob(t.db, appId);
    const result = await assignPendingJobs(t.db, null);
    expect(result.assigned[0]!.workerId).toBe(quiet.id);
    expect(crowded.id).not.toBe(quiet.id);
  });

  it("takes higher priority first, then older jobs", async () => {
    await createWorker(t.db, { capCpu: 1, capMem: 1024 });
    const low = await createJob(t.db, appId, { reqCpu: 1, reqMem: 512, priority: 0 });
    const high = await createJob(t.db, appId, { reqCpu: 1, reqMem: 512, priority: 10 });
    const result = await assignPendingJobs(t.db, null);
    expect(result.assigned.map((a) => a.jobId)).toEqual([high.id]);
    const waiting = await t.db.job.findUniqueOrThrow({ where: { id: low.id } });
    expect(waiting.status).toBe("pending");
    expect(waiting.pendingReason).toMatch(/No online worker has 1 CPU and 512 MiB free/);
  });

  it("never picks a worker with zero capacity and explains why the job waits", async () => {
    const zero = await createWorker(t.db, { capCpu: 0, capMem: 0 });
    const job = await createJob(t.db, appId, { reqCpu: 0, reqMem: 0 });
    const result = await assignPendingJobs(t.db, null);
    expect(result.assigned).toEqual([]);
    expect(result.noCapacity).toBe(1);
    const stored = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(stored.status).toBe("pending");
    expect(stored.pendingReason).toContain("No online worker");
    expect((await t.db.worker.findUniqueOrThrow({ where: { id: zero.id } })).usedCpu).toBe(0);
  });

  it("clears the pending reason once capacity appears", async () => {
    const job = await createJob(t.db, appId);
    await assignPendingJobs(t.db, null);
    expect((await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).pendingReason).not.toBeNull();
    const w = await createWorker(t.db);
    const result = await assignPendingJobs(t.db, null);
    expect(result.assigned).toEqual([{ jobId: job.id, workerId: w.id }]);
    expect((await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).pendingReason).toBeNull();
  });

  it("honours a pre-pinned worker even when another is idler, and waits for it when it is offline", async () => {
    const pinned = await createWorker(t.db, { usedCpu: 2, usedMem: 2048 });
    await createWorker(t.db);
    const job = await createJob(t.db, appId, { workerId: pinned.id });
    expect((await assignPendingJobs(t.db, null)).assigned).toEqual([{ jobId: job.id, workerId: pinned.id }]);

    const offline = await createWorker(t.db, { status: "offline" });
    const waiting = await createJob(t.db, appId, { workerId: offline.id });
    await assignPendingJobs(t.db, null);
    const stored = await t.db.job.findUniqueOrThrow({ where: { id: waiting.id } });
    expect(stored.status).toBe("pending");
    expect(stored.pendingReason).toContain("offline");
  });

  it("never overfills a worker", async () => {
    const w = await createWorker(t.db, { capCpu: 1.5, capMem: 1536 });
    for (let i = 0; i < 5; i++) await createJob(t.db, appId, { reqCpu: 0.5, reqMem: 512 });
    const result = await assignAllPending(t.db, null);
    expect(result.assigned).toBe(3);
    const stored = await t.db.worker.findUniqueOrThrow({ where: { id: w.id } });
    expect(stored.usedCpu).toBeCloseTo(1.5);
    expect(stored.usedMem).toBe(1536);
    expect(await t.db.job.count({ where: { status: "pending", pendingReason: { not: null } } })).toBe(2);
  });
});

describe("releaseWorkerResources", () => {
  it("never goes below zero", async () => {
    const w = await createWorker(t.db, { usedCpu: 0.5, usedMem: 256 });
    await releaseWorkerResources(t.db, w.id, 2, 1024);
    const stored = await t.db.worker.findUniqueOrThrow({ where: { id: w.id } });
    expect([stored.usedCpu, stored.usedMem]).toEqual([0, 0]);
  });
});
