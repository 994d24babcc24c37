import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assignPendingJobs } from "../../src/server/jobs/assign-jobs";
import type { Services } from "../../src/server/runtime/services";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { callerFor } from "./fixtures/callers";
import { createApp, createUser, createWorker } from "./fixtures/seed-data";
import { testServices } from "./fixtures/test-services";

/**
 * A rollback goes to the worker that ran its target deployment and recorded its image, when that
 * worker is online with room, so the container runtime starts the image again instead of
 * building (src/server/jobs/assign-jobs.ts, PREFERRED_WORKER_SQL); otherwise it is placed like
 * any deploy and that worker builds the commit. Real tRPC rollback, real scheduler pass.
 */
let t: TestDatabase;
let services: Services;

beforeAll(async () => {
  t = await createTestDatabase();
  services = testServices(t.url);
});
afterAll(async () => {
  await services.close();
  await t.drop();
});
beforeEach(async () => {
  await t.db.job.deleteMany();
  await t.db.deployment.deleteMany();
  await t.db.app.deleteMany();
  await t.db.worker.deleteMany();
});

/**
 * An app whose earlier deployment ran on `builtOn` (with `image` as its worker reported it) and a
 * later one runs now; the scheduler's own score prefers `idle`, so only the affinity sends a job to `builtOn`.
 */
async function appWithHistory(image: string | null, builtOn: { status?: "online" | "offline"; usedCpu?: number } = {}) {
  const user = await createUser(t.db);
  const holder = await createWorker(t.db, { capCpu: 4, capMem: 4096, usedCpu: builtOn.usedCpu ?? 2, usedMem: 2048, status: builtOn.status ?? "online" });
  const idle = await createWorker(t.db, { capCpu: 4, capMem: 4096 });
  const app = await createApp(t.db, user.id, { status: "running", workerId: idle.id });
  await t.db.app.update({ where: { id: app.id }, data: { repoUrl: "https://git.example.test/acme/site.git", branch: "main" } });
  const target = await t.db.deployment.create({
    data: { appId: app.id, status: "succeeded", workerId: holder.id, commitSha: "a".repeat(40), commitMessage: "first", branch: "main", image },
  });
  await t.db.deployment.create({ data: { appId: app.id, status: "succeeded", workerId: idle.id, commitSha: "b".repeat(40), branch: "main", image: `localhost/wisehosting/app-${app.id}:2` } });
  const asUser = callerFor(services, { ...user, role: "user" });
  return { holder, idle, app, target, rollback: () => asUser.apps.rollback({ appId: app.id, deploymentId: target.id }) };
}

async function placedOn(deploymentId: number) {
  const job = await t.db.job.findFirstOrThrow({ where: { deploymentId } });
  return { job, deployment: await t.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } }) };
}

describe("rollback placement", () => {
  it("goes to the worker that built the target's image when it is online with room, and reserves there", async () => {
    const h = await appWithHistory("localhost/wisehosting/app-1:1");
    const rollback = await h.rollback();
    const pass = await assignPendingJobs(t.db, null);

    const { job, deployment } = await placedOn(rollback.id);
    expect(pass.assigned).toEqual([{ jobId: job.id, workerId: h.holder.id }]);
    expect(job).toMatchObject({ status: "assigned", workerId: h.holder.id });
    expect(deployment.workerId).toBe(h.holder.id);
    expect(await t.db.worker.findUniqueOrThrow({ where: { id: h.holder.id } })).toMatchObject({ usedCpu: 2 + job.reqCpu, usedMem: 2048 + job.reqMem });
    expect(await t.db.worker.findUniqueOrThrow({ where: { id: h.idle.id } })).toMatchObject({ usedCpu: 0, usedMem: 0 });
  });

  it("goes elsewhere when that worker is offline (the other worker builds the commit)", async () => {
    const h = await appWithHistory("localhost/wisehosting/app-1:1", { status: "offline" });
    const rollback = await h.rollback();
    await assignPendingJobs(t.db, null);
    expect((await placedOn(rollback.id)).job).toMatchObject({ status: "assigned", workerId: h.idle.id });
  });

  it("goes elsewhere when that worker has no room", async () => {
    const h = await appWithHistory("localhost/wisehosting/app-1:1", { usedCpu: 3.5 });
    const rollback = await h.rollback();
    await assignPendingJobs(t.db, null);
    expect((await placedOn(rollback.id)).job).toMatchObject({ status: "assigned", workerId: h.idle.id });
  });

  it("has no preference when the target recorded no image (a process-runtime deploy)", async () => {
    const h = await appWithHistory(null);
    const rollback = await h.rollback();
    await assignPendingJobs(t.db, null);
    expect((await placedOn(rollback.id)).job).toMatchObject({ status: "assigned", workerId: h.idle.id });
  });

  it("leaves a plain deploy to the score, even right after a rollback target existed", async () => {
    const h = await appWithHistory("localhost/wisehosting/app-1:1");
    const user = await t.db.user.findFirstOrThrow({ where: { id: h.app.userId } });
    const deploy = await callerFor(services, { ...user, role: "user" }).apps.deploy({ appId: h.app.id });
    await assignPendingJobs(t.db, null);
    expect((await placedOn(deploy.id)).job).toMatchObject({ status: "assigned", workerId: h.idle.id });
  });
});
