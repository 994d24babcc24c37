import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJobsProcess, type JobsProcess } from "../../src/jobs-process/start-jobs-process";
import type { Services } from "../../src/server/runtime/services";
import { requestAssignment } from "../../src/server/jobs/request-assignment";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { createApp, createJob, createUser, createWorker } from "./fixtures/seed-data";
import { testServices } from "./fixtures/test-services";

let t: TestDatabase;
let jobsA: Services;
let jobsB: Services;
let web: Services;
let runtimes: JobsProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  jobsA = testServices(t.url);
  jobsB = testServices(t.url);
  web = testServices(t.url);
  // Two jobs processes, no periodic sweep: only the request can get the job assigned.
  runtimes = [await startJobsProcess(jobsA, { ticks: false }), await startJobsProcess(jobsB, { ticks: false })];
});
afterAll(async () => {
  for (const r of runtimes) await r.stop();
  for (const s of [jobsA, jobsB, web]) await s.close();
  await t.drop();
});

describe("event-driven assignment", () => {
  it("assigns a new job within moments of requestAssignment and tells the hubs", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id, { status: "pending" });
    const worker = await createWorker(t.db);
    const announced: number[] = [];
    await web.bus.subscribe("job.assigned", (m) => announced.push(m.jobId));

    const job = await createJob(t.db, app.id);
    await requestAssignment(web);

    await expect.poll(async () => (await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).status, { timeout: 10_000, interval: 100 }).toBe("assigned");
    expect((await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).workerId).toBe(worker.id);
    await expect.poll(() => announced, { timeout: 15_000 }).toEqual([job.id]);

    // A burst of requests while passes run still leaves no job behind.
    const more = [];
    for (let i = 0; i < 20; i++) {
      more.push(await createJob(t.db, app.id, { reqCpu: 0.1, reqMem: 64 }));
      await requestAssignment(web);
    }
    await expect.poll(async () => t.db.job.count({ where: { status: "pending" } }), { timeout: 10_000, interval: 100 }).toBe(0);
    // Announcements arrive over NOTIFY shortly after each pass commits.
    await expect.poll(() => new Set(announced).size, { timeout: 15_000 }).toBe(21);
    expect(announced).toHaveLength(21);
  });
});
