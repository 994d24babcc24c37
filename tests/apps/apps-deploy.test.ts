import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cipherContext } from "../../src/server/crypto/secret-cipher";
import { expectTrpcError, insertWorker, markDeployed, startAppHarness, type AppHarness, type TestUser } from "./helpers/app-harness";

const REPO = "https://github.com/acme/shop.git";

describe("deploys, lifecycle jobs and deletes", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness();
  });
  afterAll(async () => h.close());

  async function newApp(u: TestUser, name: string) {
    return (await u.caller.apps.create({ name, repoUrl: REPO })).app;
  }

  it("deploy creates a pending deployment and job, records who triggered it and audits", async () => {
    const u = await h.user("pro");
    const app = await newApp(u, "deploy-one-app");
    await u.caller.envVars.set({ appId: app.id, key: "API_KEY", value: "s3cret" });
    const d = await u.caller.apps.deploy({ appId: app.id });
    expect(d).toMatchObject({ appId: app.id, status: "pending", trigger: "manual", triggeredBy: u.email, branch: "main" });
    const job = await h.tdb.db.job.findFirstOrThrow({ where: { deploymentId: d.id } });
    const payload = JSON.parse(h.services.cipher.decrypt(job.payload, cipherContext.jobPayload(app.id)));
    expect(payload.env).toEqual({ API_KEY: "s3cret" });
    expect((await h.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).status).toBe("deploying");
    expect(await h.tdb.db.auditEvent.count({ where: { userId: u.id, kind: "app_deploy" } })).toBe(1);
  });

  it("refuses a second deploy while one is active, also when two race", async () => {
    const u = await h.user("pro");
    const app = await newApp(u, "serial-deploy-app");
    await u.caller.apps.deploy({ appId: app.id });
    await expectTrpcError(u.caller.apps.deploy({ appId: app.id }), "CONFLICT", /already pending.*Wait for it to finish/);

    const other = await newApp(u, "race-deploy-app");
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => u.caller.apps.deploy({ appId: other.id })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await h.tdb.db.deployment.count({ where: { appId: other.id } })).toBe(1);
    expect(await h.tdb.db.job.count({ where: { appId: other.id } })).toBe(1);
  });

  it("restart/start/stop are refused before the app has a worker", async () => {
    const u = await h.user("pro");
    const app = await newApp(u, "never-deployed");
    await expectTrpcError(u.caller.apps.restart({ appId: app.id }), "PRECONDITION_FAILED", /Deploy it first/);
    await expectTrpcError(u.caller.apps.stop({ appId: app.id }), "PRECONDITION_FAILED");
  });

  it("restart, stop and start create jobs pinned to the app's worker, one at a time", async () => {
    const u = await h.user("pro");
    const worker = await insertWorker(h.services);
    const app = await newApp(u, "lifecycle-app");
    await u.caller.apps.deploy({ appId: app.id });
    await markDeployed(h.services, app.id, worker.id);

    const restart = await u.caller.apps.restart({ appId: app.id });
    const job = await h.tdb.db.job.findUniqueOrThrow({ where: { id: restart.jobId } });
    expect(job).toMatchObject({ type: "restart", workerId: worker.id, status: "pending" });
    await expectTrpcError(u.caller.apps.stop({ appId: app.id }), "CONFLICT", /restart is already pending/);
    await h.tdb.db.job.update({ where: { id: restart.jobId }, data: { status: "completed" } });

    const stop = await u.caller.apps.stop({ appId: app.id });
    expect(await h.tdb.db.job.findUniqueOrThrow({ where: { id: stop.jobId } })).toMatchObject({ type: "stop", workerId: worker.id, payload: "" });
    await h.tdb.db.job.update({ where: { id: stop.jobId }, data: { status: "completed" } });
    await h.tdb.db.app.update({ where: { id: app.id }, data: { status: "stopped" } });
    await expectTrpcError(u.caller.apps.stop({ appId: app.id }), "PRECONDITION_FAILED", /already stopped/);

    const start = await u.caller.apps.start({ appId: app.id });
    expect(await h.tdb.db.job.findUniqueOrThrow({ where: { id: start.jobId } })).toMatchObject({ type: "start", workerId: worker.id });
    const kinds = (await h.tdb.db.auditEvent.findMany({ where: { userId: u.id }, select: { kind: true } })).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["app_restart", "app_stop", "app_start"]));
  });

  it("redeploy pins the deploy job to the worker that holds the app", async () => {
    const u = await h.user("pro");
    const worker = await insertWorker(h.services);
    const app = await newApp(u, "redeploy-app");
    await u.caller.apps.deploy({ appId: app.id });
    await markDeployed(h.services, app.id, worker.id);
    const d = await u.caller.apps.redeploy({ appId: app.id });
    expect(d.trigger).toBe("redeploy");
    expect(await h.tdb.db.job.findFirstOrThrow({ where: { deploymentId: d.id } })).toMatchObject({ type: "deploy", workerId: worker.id });
  });

  it("rollback deploys an earlier successful commit as a new deployment; failed ones are refused", async () => {
    const u = await h.user("pro");
    const worker = await insertWorker(h.services);
    const app = await newApp(u, "rollback-app");
    const first = await u.caller.apps.deploy({ appId: app.id });
    await markDeployed(h.services, app.id, worker.id);
    await h.tdb.db.deployment.update({ where: { id: first.id }, data: { commitSha: "1111111111111111111111111111111111111111", commitMessage: "v1" } });
    const second = await u.caller.apps.deploy({ appId: app.id });
    await h.tdb.db.job.updateMany({ where: { deploymentId: second.id }, data: { status: "failed" } });
    await h.tdb.db.deployment.update({ where: { id: second.id }, data: { status: "failed", commitSha: "2222222222222222222222222222222222222222" } });

    await expectTrpcError(u.caller.apps.rollback({ appId: app.id, deploymentId: second.id }), "BAD_REQUEST", /succeeded/);
    const rb = await u.caller.apps.rollback({ appId: app.id, deploymentId: first.id });
    expect(rb).toMatchObject({ trigger: "rollback", rollbackOfId: first.id, commitSha: "1".repeat(40), commitMessage: "v1" });
    const job = await h.tdb.db.job.findFirstOrThrow({ where: { deploymentId: rb.id } });
    expect(JSON.parse(h.services.cipher.decrypt(job.payload, cipherContext.jobPayload(app.id))).commitSha).toBe("1".repeat(40));
    expect(await h.tdb.db.auditEvent.count({ where: { userId: u.id, kind: "app_rollback" } })).toBe(1);

    const history = await u.caller.deployments.list({ appId: app.id });
    expect(history.map((d) => d.id)).toEqual([rb.id, second.id, first.id]);
    expect(history[2]).toMatchObject({ isCurrent: true, status: "succeeded" });
    expect(history[2]!.durationMs).toBeGreaterThan(0);

    // A deployment of another app of the same user is not a rollback target for this app.
    const otherApp = await newApp(u, "rollback-other");
    await expectTrpcError(u.caller.apps.rollback({ appId: otherApp.id, deploymentId: first.id }), "NOT_FOUND");
  });

  it("spec updates are validated and apply on the next deploy", async () => {
    const u = await h.user("pro");
    const app = await newApp(u, "spec-update-app");
    await expectTrpcError(u.caller.apps.updateSpec({ appId: app.id, spec: { repoUrl: "ext::sh -c id" } }), "BAD_REQUEST");
    await expectTrpcError(u.caller.apps.updateSpec({ appId: app.id, spec: { branch: "-x" } }), "BAD_REQUEST");
    await expectTrpcError(u.caller.apps.updateSpec({ appId: app.id, spec: { internalPort: 70000 } }), "BAD_REQUEST");
    await expectTrpcError(
      u.caller.apps.updateSpec({ appId: app.id, spec: { buildSettings: { kind: "node", installCommand: "", buildCommand: "", startCommand: "", rootDirectory: "../etc" } } }),
      "BAD_REQUEST",
    );
    await u.caller.apps.updateSpec({
      appId: app.id,
      spec: { branch: "develop", internalPort: 5000, buildSettings: { kind: "node", installCommand: "npm ci", buildCommand: "npm run build", startCommand: "node server.js", rootDirectory: "web" } },
    });
    const audit = await h.tdb.db.auditEvent.findFirstOrThrow({ where: { userId: u.id, kind: "app_update", targetId: String(app.id) } });
    expect(audit.metadata).toEqual({ changed: ["branch", "buildSettings", "internalPort"] });
    const d = await u.caller.apps.deploy({ appId: app.id });
    const job = await h.tdb.db.job.findFirstOrThrow({ where: { deploymentId: d.id } });
    const payload = JSON.parse(h.services.cipher.decrypt(job.payload, cipherContext.jobPayload(app.id)));
    expect(payload).toMatchObject({ branch: "develop", internalPort: 5000, buildSettings: { kind: "node", startCommand: "node server.js", rootDirectory: "web" } });
  });

  it("soft delete hides the app, cancels queued jobs and sends the worker a delete job", async () => {
    const u = await h.user("pro");
    const worker = await insertWorker(h.services);
    const app = await newApp(u, "soft-delete-app");
    await u.caller.apps.deploy({ appId: app.id });
    await markDeployed(h.services, app.id, worker.id);
    const restart = await u.caller.apps.restart({ appId: app.id });
    await u.caller.apps.delete({ appId: app.id });
    expect((await h.tdb.db.job.findUniqueOrThrow({ where: { id: restart.jobId } })).status).toBe("cancelled");
    expect(await h.tdb.db.job.findFirst({ where: { appId: app.id, type: "delete" } })).toMatchObject({ workerId: worker.id, status: "pending" });
    expect(await h.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).toMatchObject({ status: "deleted" });
    expect((await u.caller.apps.list()).find((a) => a.id === app.id)).toBeUndefined();
    await expectTrpcError(u.caller.apps.get({ appId: app.id }), "NOT_FOUND");
  });

  it("hard delete cancels pending/assigned jobs and removes the app in one transaction", async () => {
    const u = await h.user("pro");
    const worker = await insertWorker(h.services);
    const app = await newApp(u, "hard-delete-app");
    await u.caller.apps.deploy({ appId: app.id });
    await h.tdb.db.job.updateMany({ where: { appId: app.id }, data: { status: "processing", workerId: worker.id } });
    await expectTrpcError(u.caller.apps.delete({ appId: app.id, hard: true }), "CONFLICT", /running/);
    await h.tdb.db.job.updateMany({ where: { appId: app.id }, data: { status: "assigned" } });
    await u.caller.apps.delete({ appId: app.id, hard: true });
    expect(await h.tdb.db.app.findUnique({ where: { id: app.id } })).toBeNull();
    expect(await h.tdb.db.job.count({ where: { appId: app.id } })).toBe(0);
    expect(await h.tdb.db.auditEvent.count({ where: { userId: u.id, kind: "app_delete" } })).toBe(1);
  });

  it("hard delete of an app a worker still runs is refused until it was deleted and removed", async () => {
    const u = await h.user("pro");
    const worker = await insertWorker(h.services);
    const app = await newApp(u, "hard-on-worker");
    await u.caller.apps.deploy({ appId: app.id });
    await markDeployed(h.services, app.id, worker.id);
    await expectTrpcError(u.caller.apps.delete({ appId: app.id, hard: true }), "PRECONDITION_FAILED", /Delete it first/);
    await u.caller.apps.delete({ appId: app.id });
    await expectTrpcError(u.caller.apps.delete({ appId: app.id, hard: true }), "CONFLICT", /still removing/);
    await h.tdb.db.job.updateMany({ where: { appId: app.id, type: "delete" }, data: { status: "completed" } });
    await u.caller.apps.delete({ appId: app.id, hard: true });
    expect(await h.tdb.db.app.findUnique({ where: { id: app.id } })).toBeNull();
  });

  it("a deleted app frees a slot of the plan's limit", async () => {
    const u = await h.user("free");
    const app = await newApp(u, "limit-slot-app");
    await u.caller.apps.delete({ appId: app.id });
    await newApp(u, "limit-slot-two");
  });

  it("auto-deploy creates a webhook URL and secret once, keeps them when toggled, rotates on request", async () => {
    const u = await h.user("pro");
    const app = await newApp(u, "auto-deploy-app");
    const off = await u.caller.apps.autoDeploy({ appId: app.id });
    expect(off).toMatchObject({ enabled: false, url: null, secret: null });
    const on = await u.caller.apps.setAutoDeploy({ appId: app.id, enabled: true });
    expect(on.url).toMatch(/^http:\/\/127\.0\.0\.1:3999\/api\/webhooks\/git\/[A-Za-z0-9_-]{24}$/);
    expect(on.secret).toMatch(/^[0-9a-f]{64}$/);
    const row = await h.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
    expect(row.webhookSecret!.startsWith("v1:")).toBe(true);
    const offAgain = await u.caller.apps.setAutoDeploy({ appId: app.id, enabled: false });
    expect(offAgain).toMatchObject({ enabled: false, url: on.url, secret: on.secret });
    const rotated = await u.caller.apps.rotateWebhookSecret({ appId: app.id });
    expect(rotated.url).toBe(on.url);
    expect(rotated.secret).not.toBe(on.secret);
  });

  it("lists apps with search and shows details", async () => {
    const u = await h.user("business");
    await newApp(u, "searchable-alpha");
    await newApp(u, "searchable-beta");
    const all = await u.caller.apps.list();
    expect(all.map((a) => a.name).sort()).toEqual(["searchable-alpha", "searchable-beta"]);
    const found = await u.caller.apps.list({ search: "ALPHA" });
    expect(found.map((a) => a.name)).toEqual(["searchable-alpha"]);
    expect(found[0]!.url).toBe("http://searchable-alpha.apps.test.example");
    const detail = await u.caller.apps.get({ appId: found[0]!.id });
    expect(detail).toMatchObject({ name: "searchable-alpha", envCount: 0, activeJob: null, plan: { id: "business" } });
    const overview = await u.caller.apps.overview();
    expect(overview).toMatchObject({ total: 2, byStatus: { pending: 2 } });
  });
});
