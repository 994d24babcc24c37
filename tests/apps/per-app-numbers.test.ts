import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { completeJob } from "../../src/server/jobs/complete-job";
import { afterJobCompleted } from "../../src/server/jobs/job-completion-effects";
import { updateJobStatus } from "../../src/server/jobs/job-status";
import { expectTrpcError, insertWorker, markDeployed, startAppHarness, type AppHarness, type TestUser } from "./helpers/app-harness";

type Tracked<T> = [string, T, symbol] | { id: string; data: T };
const dataOf = <T>(e: Tracked<T>) => (Array.isArray(e) ? e[1] : e.data);

/** The first `count` events of a subscription, then it is closed. */
async function first<T>(iterable: AsyncIterable<unknown>, count: number, onEvent?: (seen: number) => Promise<void>): Promise<T[]> {
  const out: T[] = [];
  const it = iterable[Symbol.asyncIterator]();
  try {
    while (out.length < count) {
      const next = await Promise.race([
        it.next(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${out.length} events`)), 20_000)),
      ]);
      if (next.done) break;
      out.push(dataOf(next.value as Tracked<T>));
      await onEvent?.(out.length);
    }
  } finally {
    void it.return?.(undefined);
  }
  return out;
}

interface Progress {
  jobId: number;
  jobNumber: number;
  deploymentNumber: number | null;
  status: string;
  progress: number;
}

/**
 * Issue 16 item 4: an app's first deploy is "Deployment #1" / "Job #1" whatever other apps did,
 * and every page shows the same progress for one job (a failed job keeps where it stopped).
 */
describe("per-app deployment and job numbers", () => {
  let h: AppHarness;
  let u: TestUser;
  beforeAll(async () => {
    h = await startAppHarness();
  });
  // A user per test: the plan's app limit counts every app a user has.
  beforeEach(async () => {
    u = await h.user("pro");
  });
  afterAll(async () => h.close());

  it("numbers deployments and jobs per app, not across the platform", async () => {
    const worker = await insertWorker(h.services);
    const a = (await u.caller.apps.create({ name: "numbers-first-app", repoUrl: "https://github.com/acme/a.git" })).app;
    const b = (await u.caller.apps.create({ name: "numbers-second-app", repoUrl: "https://github.com/acme/b.git" })).app;

    const a1 = await u.caller.apps.deploy({ appId: a.id });
    await markDeployed(h.services, a.id, worker.id);
    const restart = await u.caller.apps.restart({ appId: a.id });
    await h.tdb.db.job.update({ where: { id: restart.jobId }, data: { status: "completed" } });
    const a2 = await u.caller.apps.redeploy({ appId: a.id });
    const b1 = await u.caller.apps.deploy({ appId: b.id });

    expect([a1.number, a2.number, b1.number]).toEqual([1, 2, 1]);
    const jobs = async (appId: number) => (await h.tdb.db.job.findMany({ where: { appId }, orderBy: { id: "asc" }, select: { number: true, type: true } })).map((j) => `${j.type}#${j.number}`);
    expect(await jobs(a.id)).toEqual(["deploy#1", "restart#2", "deploy#3"]);
    expect(await jobs(b.id)).toEqual(["deploy#1"]);

    const history = await u.caller.deployments.list({ appId: a.id });
    expect(history.map((d) => d.number)).toEqual([2, 1]);
    const app = await u.caller.apps.get({ appId: b.id });
    expect(app.latestDeployment?.number).toBe(1);
    expect(app.activeJob?.number).toBe(1);
    // The refusal names the app's own number, not the internal id.
    await expectTrpcError(u.caller.apps.deploy({ appId: b.id }), "CONFLICT", /\(deployment #1\) is already pending/);
  });

  it("a rollback names the per-app number of the deployment it rolls back", async () => {
    const worker = await insertWorker(h.services);
    const app = (await u.caller.apps.create({ name: "numbers-rollback-app", repoUrl: "https://github.com/acme/r.git" })).app;
    await u.caller.apps.deploy({ appId: app.id });
    const first = await markDeployed(h.services, app.id, worker.id);
    await u.caller.apps.redeploy({ appId: app.id });
    await markDeployed(h.services, app.id, worker.id);
    const rollback = await u.caller.apps.rollback({ appId: app.id, deploymentId: first });
    const rows = await u.caller.deployments.list({ appId: app.id });
    const row = rows.find((d) => d.id === rollback.id);
    expect(row).toMatchObject({ number: 3, rollbackOf: { number: 1 } });
  });

  it("a multi-row insert numbers its rows one after another", async () => {
    const app = (await u.caller.apps.create({ name: "numbers-bulk-app", repoUrl: "https://github.com/acme/bulk.git" })).app;
    await h.tdb.db.$executeRaw`INSERT INTO jobs (type, app_id, updated_at) SELECT 'deploy', ${app.id}, now() FROM generate_series(1, 3)`;
    const numbers = (await h.tdb.db.job.findMany({ where: { appId: app.id }, orderBy: { id: "asc" } })).map((j) => j.number);
    expect(numbers).toEqual([1, 2, 3]);
  });

  it("the progress stream carries the per-app numbers, and a failed job keeps its progress everywhere", async () => {
    const worker = await insertWorker(h.services);
    const app = (await u.caller.apps.create({ name: "numbers-progress-app", repoUrl: "https://github.com/acme/p.git" })).app;
    const d = await u.caller.apps.deploy({ appId: app.id });
    await h.tdb.db.job.update({ where: { id: d.jobId }, data: { status: "assigned", workerId: worker.id } });
    const deps = h.services;

    // One page (Overview) follows the job live while it fails at 55 %...
    const live = first<Progress>(await u.caller.apps.onDeployProgress({ appId: app.id }), 3, async (seen) => {
      if (seen === 1) await updateJobStatus(deps, worker.id, { job_id: d.jobId, status: "processing", message: "Building", progress: 55 });
      if (seen === 2) {
        const done = await completeJob(deps.db, worker.id, { job_id: d.jobId, status: "failed", error: "npm run build exited with code 1" });
        await afterJobCompleted(deps, done!);
      }
    });
    const events = await live;
    expect(events.map((e) => [e.status, e.progress])).toEqual([["assigned", 0], ["processing", 55], ["failed", 55]]);
    expect(events.every((e) => e.jobNumber === 1 && e.deploymentNumber === 1)).toBe(true);

    // ...and another (Deployments), opened afterwards, reads the stored job: the same 55 %.
    const [snapshot] = await first<Progress>(await u.caller.apps.onDeployProgress({ appId: app.id }), 1);
    expect(snapshot).toMatchObject({ status: "failed", progress: 55, jobNumber: 1, deploymentNumber: 1 });
  });

  it("a failed build keeps the commit the worker checked out", async () => {
    const worker = await insertWorker(h.services);
    const app = (await u.caller.apps.create({ name: "numbers-commit-app", repoUrl: "https://github.com/acme/c.git" })).app;
    const d = await u.caller.apps.deploy({ appId: app.id });
    await h.tdb.db.job.update({ where: { id: d.jobId }, data: { status: "processing", workerId: worker.id } });
    const sha = "b".repeat(40);
    await completeJob(h.services.db, worker.id, { job_id: d.jobId, status: "failed", error: "build failed", commit_sha: sha, commit_message: "Break the build" });
    const [row] = await u.caller.deployments.list({ appId: app.id });
    expect(row).toMatchObject({ status: "failed", commitSha: sha, commitMessage: "Break the build" });
  });
});
