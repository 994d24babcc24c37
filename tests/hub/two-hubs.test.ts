import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "../../src/server/bus/channels";
import { createBus } from "../../src/server/bus/create-bus";
import { SecretCipher } from "../../src/server/crypto/secret-cipher";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { seedApp, seedAssignedJob, seedUser, seedWorker } from "./helpers/hub-fixture";
import { platformEvents } from "./helpers/observe";
import { spawnHub, TEST_SECRETS, type SpawnedHub } from "./helpers/spawn-hub";
import { TestWorker } from "./helpers/worker-client";

/** Two real hub processes behind "one address", sharing one database and bus. */
describe("two hub processes", () => {
  let tdb: TestDatabase;
  let hubA: SpawnedHub;
  let hubB: SpawnedHub;
  let bus: Bus;
  let userId: number;
  const services = { cipher: new SecretCipher(TEST_SECRETS.APP_SECRET) };
  beforeAll(async () => {
    tdb = await createTestDatabase();
    [hubA, hubB] = await Promise.all([spawnHub(tdb.url), spawnHub(tdb.url)]);
    bus = createBus({ databaseUrl: tdb.url });
    userId = await seedUser(tdb);
  }, 240_000);
  afterAll(async () => {
    await bus.close();
    await hubA?.kill();
    await hubB?.kill();
    await tdb.drop();
  });

  const jobsOf = (t: TestWorker) => t.frames.filter((f) => f.type === "job").map((f) => f.data.job_id as number);

  it("each assigned job reaches its worker exactly once, whichever hub holds the socket", async () => {
    const wa = await seedWorker(tdb);
    const wb = await seedWorker(tdb);
    const onA = await TestWorker.connect(hubA.url, wa.apiKey, wa.apiKey);
    const onB = await TestWorker.connect(hubB.url, wb.apiKey, wb.apiKey);
    const appA = await seedApp(tdb, userId, wa.id);
    const appB = await seedApp(tdb, userId, wb.id);
    const want = { a: [] as number[], b: [] as number[] };
    for (let i = 0; i < 10; i++) {
      const forA = i % 2 === 0;
      const { job } = await seedAssignedJob({ tdb, services }, forA ? appA.id : appB.id, forA ? wa.id : wb.id, { type: "start" });
      (forA ? want.a : want.b).push(job.id);
      await bus.publish("job.assigned", { jobId: job.id, workerId: forA ? wa.id : wb.id });
    }
    // The oldest job may also have been sent by the connect-time replay; it still arrives once.
    await expect.poll(() => jobsOf(onA).length + jobsOf(onB).length, { timeout: 15_000 }).toBe(10);
    // All ten arrived; this window lets a wrongly repeated frame arrive (it can only catch one).
    await new Promise((r) => setTimeout(r, 500));
    expect(jobsOf(onA).sort((x, y) => x - y)).toEqual(want.a);
    expect(jobsOf(onB).sort((x, y) => x - y)).toEqual(want.b);
    onA.close();
    onB.close();
  });

  it("a new connection on the other hub replaces the old one (closed 4000 when the old hub notices)", async () => {
    const w = await seedWorker(tdb);
    const first = await TestWorker.connect(hubA.url, w.apiKey, w.apiKey);
    const second = await TestWorker.connect(hubB.url, w.apiKey, w.apiKey);
    first.send("heartbeat", { status: "online", cpu_used: 0, mem_used: 0, running_apps: 0 });
    expect(await first.waitClose()).toBe(4000);
    // A job assigned now goes only through the live connection.
    const app = await seedApp(tdb, userId, w.id);
    const { job } = await seedAssignedJob({ tdb, services }, app.id, w.id, { type: "start" });
    await bus.publish("job.assigned", { jobId: job.id, workerId: w.id });
    await expect.poll(() => jobsOf(second), { timeout: 10_000 }).toEqual([job.id]);
    expect(jobsOf(first)).toEqual([]);
    second.close();
  });

  it("kill -9 of a hub with jobs in flight: the worker reconnects to the other hub and every job ends once", async () => {
    try {
      await killScenario();
    } catch (err) {
      // Diagnostics for a failure under load: what each hub logged.
      console.error(`hub A output:\n${hubA.output()}\nhub B output:\n${hubB.output()}`);
      throw err;
    }
  }, 180_000);

  async function killScenario() {
    const w = await seedWorker(tdb);
    const app = await seedApp(tdb, userId, w.id, { status: "deploying" });
    const j1 = await seedAssignedJob({ tdb, services }, app.id, w.id);
    const onA = await TestWorker.connect(hubA.url, w.apiKey, w.apiKey);
    await onA.waitFor((f) => f.type === "job" && f.data.job_id === j1.job.id);
    onA.send("job_status", { job_id: j1.job.id, status: "processing", message: "building", progress: 40 });
    const j2 = await seedAssignedJob({ tdb, services }, app.id, w.id);
    await bus.publish("job.assigned", { jobId: j2.job.id, workerId: w.id });
    await onA.waitFor((f) => f.type === "job" && f.data.job_id === j2.job.id);
    await expect.poll(async () => (await tdb.db.job.findUniqueOrThrow({ where: { id: j1.job.id } })).status, { timeout: 10_000 }).toBe("processing");

    await hubA.kill();
    await onA.waitClose();
    const j3 = await seedAssignedJob({ tdb, services }, app.id, w.id);
    await bus.publish("job.assigned", { jobId: j3.job.id, workerId: w.id });

    // The agent reconnects to the surviving hub, which re-sends the oldest job still assigned.
    const onB = await TestWorker.connect(hubB.url, w.apiKey, w.apiKey);
    await onB.waitFor((f) => f.type === "job" && f.data.job_id === j2.job.id);
    onB.send("job_result", { job_id: j1.job.id, status: "completed", port: 31001 });
    onB.send("job_result", { job_id: j2.job.id, status: "completed", port: 31002 });
    onB.send("job_result", { job_id: j2.job.id, status: "completed", port: 39999 }); // a duplicate result
    await onB.waitFor((f) => f.type === "job" && f.data.job_id === j3.job.id);
    onB.send("job_result", { job_id: j3.job.id, status: "completed", port: 31003 });
    await onB.roundTrip();
    expect(onB.errors().filter((e) => e.data.code !== "unknown_type")).toEqual([]);

    for (const { job } of [j1, j2, j3]) {
      expect((await tdb.db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("completed");
    }
    expect((await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).port).toBe(31003);
    await expect
      .poll(async () => (await platformEvents(tdb)).filter((e) => e.appId === app.id && e.type === "deployment.succeeded").map((e) => e.data.deploymentId).sort(), { timeout: 10_000 })
      .toEqual([j1.deployment.id, j2.deployment.id, j3.deployment.id].sort());
    // Each job frame reached the new connection once.
    expect(jobsOf(onB).sort((x, y) => x - y)).toEqual([j2.job.id, j3.job.id]);
    expect((await tdb.db.worker.findUniqueOrThrow({ where: { id: w.id } })).usedCpu).toBe(0);
    onB.close();
  }
});
