import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJobsProcess, type JobsProcess } from "../../src/jobs-process/start-jobs-process";
import { requestAssignment } from "../../src/server/jobs/request-assignment";
import type { Services } from "../../src/server/runtime/services";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { createApp, createJob, createUser, createWorker } from "./fixtures/seed-data";
import { testServices } from "./fixtures/test-services";

let t: TestDatabase;
let web: Services;
const processes: { services: Services; jobs: JobsProcess }[] = [];

async function startJobs(): Promise<void> {
  const services = testServices(t.url);
  processes.push({ services, jobs: await startJobsProcess(services, { ticks: false }) });
}

const statusOf = async (jobId: number) => (await t.db.job.findUniqueOrThrow({ where: { id: jobId } })).status;

beforeAll(async () => {
  t = await createTestDatabase();
  web = testServices(t.url);
});
afterAll(async () => {
  for (const p of processes) {
    await p.jobs.stop();
    await p.services.close();
  }
  await web.close();
  await t.drop();
});

describe("assignment on request", () => {
  it("a request made while no jobs process runs is kept: the queued task assigns the job once one starts", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id, { status: "pending" });
    await createWorker(t.db);
    const job = await createJob(t.db, app.id);
    // Nobody listens on the bus yet: only the durable request survives.
    await requestAssignment(web);
    expect(await statusOf(job.id)).toBe("pending");
    await startJobs();
    await expect.poll(() => statusOf(job.id), { timeout: 15_000, interval: 100 }).toBe("assigned");
  });

  it("the bus message alone runs a pass in a listening jobs process, without the queued task", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id, { status: "pending" });
    await createWorker(t.db);
    const job = await createJob(t.db, app.id);
    await web.bus.publish("jobs.pending", {});
    await expect.poll(() => statusOf(job.id), { timeout: 10_000, interval: 50 }).toBe("assigned");
  });

  it("a burst of bus requests while a pass runs leaves no job pending", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id, { status: "pending" });
    await createWorker(t.db, { capCpu: 64, capMem: 65_536 });
    const jobs: { id: number }[] = [];
    for (let i = 0; i < 30; i++) {
      jobs.push(await createJob(t.db, app.id, { reqCpu: 0.1, reqMem: 64 }));
      void web.bus.publish("jobs.pending", {});
    }
    await expect.poll(() => t.db.job.count({ where: { id: { in: jobs.map((j) => j.id) }, status: "pending" } }), { timeout: 15_000, interval: 100 }).toBe(0);
  });
});
