import { afterAll, beforeAll, expect, it } from "vitest";
import { startJobsProcess, type JobsProcess } from "../../src/jobs-process/start-jobs-process";
import { ASSIGN_QUEUE, requestAssignment } from "../../src/server/jobs/request-assignment";
import type { Services } from "../../src/server/runtime/services";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { createApp, createJob, createUser, createWorker } from "./fixtures/seed-data";
import { testServices } from "./fixtures/test-services";

let t: TestDatabase;
let web: Services;
let jobs: { services: Services; process: JobsProcess } | undefined;

beforeAll(async () => {
  t = await createTestDatabase();
  web = testServices(t.url);
});
afterAll(async () => {
  if (jobs) {
    await jobs.process.stop();
    await jobs.services.close();
  }
  await web.close();
  await t.drop();
});

it("a burst of requests in one process makes at most two queued sends, and the queued task still places a job made during the burst", { timeout: 60_000 }, async () => {
  // Count the real sends to pg-boss (each still goes through to the queue).
  const send = web.queue.send.bind(web.queue);
  let sends = 0;
  web.queue.send = ((...args: Parameters<typeof send>) => {
    sends++;
    return send(...args);
  }) as typeof web.queue.send;

  const user = await createUser(t.db);
  const app = await createApp(t.db, user.id, { status: "pending" });
  await createWorker(t.db);
  // No jobs process listens on the bus: only the queued task can place this job.
  const burst = Array.from({ length: 100 }, () => requestAssignment(web));
  const job = await createJob(t.db, app.id);
  burst.push(requestAssignment(web));
  await Promise.all(burst);
  expect(sends).toBeGreaterThanOrEqual(1);
  expect(sends).toBeLessThanOrEqual(2);
  const queued = await t.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${ASSIGN_QUEUE}`;
  expect(queued[0]!.n).toBeGreaterThanOrEqual(1);
  expect((await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("pending");

  const services = testServices(t.url);
  jobs = { services, process: await startJobsProcess(services, { ticks: false }) };
  await expect.poll(async () => (await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).status, { timeout: 20_000, interval: 100 }).toBe("assigned");
});
