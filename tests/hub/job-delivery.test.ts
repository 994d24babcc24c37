import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus } from "../../src/server/bus/create-bus";
import type { Bus } from "../../src/server/bus/channels";
import { cipherContext } from "../../src/server/crypto/secret-cipher";
import { samplePayload, seedApp, seedAssignedJob, seedUser, seedWorker, startHubFixture, type HubFixture } from "./helpers/hub-fixture";
import { platformEvents } from "./helpers/observe";
import { TestWorker } from "./helpers/worker-client";

describe("job push", () => {
  let fx: HubFixture;
  let otherProcessBus: Bus;
  let userId: number;
  /** job.assigned messages as the hub's own bus delivered them (jobId → count). */
  const heardByHub = new Map<number, number>();
  beforeAll(async () => {
    fx = await startHubFixture();
    otherProcessBus = createBus({ databaseUrl: fx.tdb.url });
    userId = await seedUser(fx.tdb);
    // Subscribed after the hub's own handler on the same bus: a message counted here has already
    // been handed to the hub (JobPusher.onAssigned runs synchronously in the same dispatch).
    await fx.services.bus.subscribe("job.assigned", (m) => heardByHub.set(m.jobId, (heardByHub.get(m.jobId) ?? 0) + 1));
  });
  afterAll(async () => {
    await otherProcessBus.close();
    await fx.close();
  });

  const jobFrames = (t: TestWorker) => t.frames.filter((f) => f.type === "job");
  const hubHeard = (jobId: number, times = 1) => expect.poll(() => heardByHub.get(jobId) ?? 0, { timeout: 15_000 }).toBeGreaterThanOrEqual(times);

  it("a job assigned by another process reaches the connected worker once, with its payload decrypted", async () => {
    const w = await seedWorker(fx.tdb);
    const worker = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    const app = await seedApp(fx.tdb, userId, w.id, { status: "deploying" });
    const { job, deployment } = await seedAssignedJob(fx, app.id, w.id);
    await otherProcessBus.publish("job.assigned", { jobId: job.id, workerId: w.id });
    await otherProcessBus.publish("job.assigned", { jobId: job.id, workerId: w.id });
    const frame = await worker.waitFor((f) => f.type === "job");
    expect(frame.data).toEqual({
      job_id: job.id,
      type: "deploy",
      app_id: app.id,
      app_uuid: app.uuid,
      app_name: app.name,
      deployment_id: deployment.id,
      payload: samplePayload(),
    });
    await worker.roundTrip();
    await hubHeard(job.id, 2);
    // Both announcements reached the hub; its pushes end with a database claim that sends nothing
    // for the second. This window lets a wrongly sent second frame arrive (it can only catch one).
    await new Promise((r) => setTimeout(r, 300));
    expect(jobFrames(worker)).toHaveLength(1);
    worker.close();
  });

  it("on connect the oldest assigned job is sent; after each job_result, the next", async () => {
    const w = await seedWorker(fx.tdb);
    const app = await seedApp(fx.tdb, userId, w.id);
    const first = await seedAssignedJob(fx, app.id, w.id, { type: "restart" });
    const second = await seedAssignedJob(fx, app.id, w.id, { type: "stop", payload: null });
    const worker = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    const f1 = await worker.waitFor((f) => f.type === "job");
    expect(f1.data.job_id).toBe(first.job.id);
    expect(worker.frames.findIndex((f) => f.type === "welcome")).toBe(0);
    // The connect-time replay sends one job and stops; this window lets a wrongly sent second one arrive.
    await new Promise((r) => setTimeout(r, 200));
    expect(jobFrames(worker)).toHaveLength(1);
    worker.send("job_result", { job_id: first.job.id, status: "completed", port: 30002 });
    const f2 = await worker.waitFor((f) => f.type === "job" && f.data.job_id === second.job.id);
    expect(f2.data).toMatchObject({ type: "stop", payload: null });
    worker.close();
  });

  it("a job for a worker connected nowhere is left assigned (sent on its next connect)", async () => {
    const w = await seedWorker(fx.tdb);
    const app = await seedApp(fx.tdb, userId, w.id);
    const { job } = await seedAssignedJob(fx, app.id, w.id);
    await otherProcessBus.publish("job.assigned", { jobId: job.id, workerId: w.id });
    // The hub has handled it (no connection of that worker here: nothing to do) once it heard it.
    await hubHeard(job.id);
    expect((await fx.tdb.db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("assigned");
    const worker = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    expect((await worker.waitFor((f) => f.type === "job")).data.job_id).toBe(job.id);
    worker.close();
  });

  it("a payload that cannot be decrypted fails the job loudly and is never sent; the next job still goes out", async () => {
    const w = await seedWorker(fx.tdb);
    await fx.tdb.db.worker.update({ where: { id: w.id }, data: { usedCpu: 0, usedMem: 0 } });
    const app = await seedApp(fx.tdb, userId, w.id, { status: "deploying" });
    const otherApp = await seedApp(fx.tdb, userId, w.id);
    // Encrypted for another app: the bound context makes decryption fail.
    const swapped = fx.services.cipher.encrypt(JSON.stringify(samplePayload()), cipherContext.jobPayload(otherApp.id));
    const broken = await seedAssignedJob(fx, app.id, w.id, { payload: swapped, reqCpu: 1, reqMem: 256 });
    const good = await seedAssignedJob(fx, otherApp.id, w.id, { type: "start", reqCpu: 0, reqMem: 0 });
    const worker = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    const sent = await worker.waitFor((f) => f.type === "job");
    expect(sent.data.job_id).toBe(good.job.id);
    expect(jobFrames(worker).some((f) => f.data.job_id === broken.job.id)).toBe(false);
    const failed = await fx.tdb.db.job.findUniqueOrThrow({ where: { id: broken.job.id } });
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/could not be decrypted/);
    expect((await fx.tdb.db.deployment.findUniqueOrThrow({ where: { id: broken.deployment.id } })).status).toBe("failed");
    expect((await fx.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).status).toBe("failed");
    expect(await fx.tdb.db.worker.findUniqueOrThrow({ where: { id: w.id } })).toMatchObject({ usedCpu: 0, usedMem: 0 });
    expect((await platformEvents(fx.tdb)).filter((e) => e.appId === app.id).map((e) => e.type)).toEqual(["deployment.failed"]);
    worker.close();
  });

  it("a job assigned while a new connection is still being recorded is delivered on it, not mistaken for a replacement", async () => {
    const w = await seedWorker(fx.tdb);
    const app = await seedApp(fx.tdb, userId, w.id);
    // Hold the worker row so the hub's claim of the new connection waits.
    const locker = new pg.Client({ connectionString: fx.tdb.url });
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query("SELECT id FROM workers WHERE id = $1 FOR NO KEY UPDATE", [w.id]);
    let released = false;
    try {
      const connecting = TestWorker.connect(fx.url, w.apiKey, w.apiKey);
      // Registered at once; its claim waits for the locked row, so it is not ready yet.
      await expect.poll(() => fx.hub.connections.get(w.id) !== undefined, { timeout: 15_000 }).toBe(true);
      // Inserted directly: seedAssignedJob would also update the locked worker row.
      const job = await fx.tdb.db.job.create({
        data: { type: "start", appId: app.id, workerId: w.id, status: "assigned", assignedAt: new Date(), payload: fx.services.cipher.encrypt(JSON.stringify(samplePayload()), cipherContext.jobPayload(app.id)) },
      });
      await otherProcessBus.publish("job.assigned", { jobId: job.id, workerId: w.id });
      // The announcement reaches the hub while the connection still waits for its claim.
      await hubHeard(job.id);
      await locker.query("COMMIT");
      released = true;
      const worker = await connecting;
      expect((await worker.waitFor((f) => f.type === "job")).data.job_id).toBe(job.id);
      expect(worker.closeCode).toBeUndefined();
      expect(jobFrames(worker)).toHaveLength(1);
      worker.close();
    } finally {
      if (!released) await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }
  });

  it("a deploy job without a payload is failed, not sent half-formed", async () => {
    const w = await seedWorker(fx.tdb);
    const app = await seedApp(fx.tdb, userId, w.id, { status: "deploying" });
    const { job } = await seedAssignedJob(fx, app.id, w.id, { payload: null });
    const worker = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    await expect.poll(async () => (await fx.tdb.db.job.findUniqueOrThrow({ where: { id: job.id } })).status, { timeout: 10_000 }).toBe("failed");
    expect(jobFrames(worker)).toHaveLength(0);
    worker.close();
  });
});
