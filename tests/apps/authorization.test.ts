import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../src/server/trpc/root";
import { expectTrpcError, insertWorker, markDeployed, startAppHarness, type AppHarness, type Caller, type TestUser } from "./helpers/app-harness";

/**
 * Every procedure of apps, domains, deployments and envVars, called by a stranger with the owner's
 * ids, answers NOT_FOUND and changes nothing. The procedure list comes from the router itself, so a
 * procedure added later without a case here fails this test.
 */
type Ids = { appId: number; deploymentId: number; domainId: number };
type Call = (c: Caller, ids: Ids) => Promise<unknown>;

const drain = async (iterable: unknown) => {
  const it = (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  try {
    await it.next();
  } finally {
    await it.return?.(undefined);
  }
};

const BY_ID: Record<string, Call> = {
  "apps.get": (c, i) => c.apps.get({ appId: i.appId }),
  "apps.deploy": (c, i) => c.apps.deploy({ appId: i.appId }),
  "apps.redeploy": (c, i) => c.apps.redeploy({ appId: i.appId }),
  "apps.rollback": (c, i) => c.apps.rollback({ appId: i.appId, deploymentId: i.deploymentId }),
  "apps.cancelDeployment": (c, i) => c.apps.cancelDeployment({ appId: i.appId }),
  "apps.restart": (c, i) => c.apps.restart({ appId: i.appId }),
  "apps.start": (c, i) => c.apps.start({ appId: i.appId }),
  "apps.stop": (c, i) => c.apps.stop({ appId: i.appId }),
  "apps.delete": async (c, i) => {
    await expectTrpcError(c.apps.delete({ appId: i.appId, hard: true }), "NOT_FOUND");
    return c.apps.delete({ appId: i.appId });
  },
  "apps.updateSpec": (c, i) => c.apps.updateSpec({ appId: i.appId, spec: { branch: "pwned" } }),
  "apps.autoDeploy": (c, i) => c.apps.autoDeploy({ appId: i.appId }),
  "apps.setAutoDeploy": (c, i) => c.apps.setAutoDeploy({ appId: i.appId, enabled: false }),
  "apps.rotateWebhookSecret": (c, i) => c.apps.rotateWebhookSecret({ appId: i.appId }),
  "apps.runtimeLogs": (c, i) => c.apps.runtimeLogs({ appId: i.appId }),
  "apps.logRuns": (c, i) => c.apps.logRuns({ appId: i.appId }),
  "apps.onRuntimeLogs": async (c, i) => drain(await c.apps.onRuntimeLogs({ appId: i.appId })),
  "apps.onDeployProgress": async (c, i) => drain(await c.apps.onDeployProgress({ appId: i.appId })),
  "apps.onStatus": async (c, i) => drain(await c.apps.onStatus({ appId: i.appId })),
  "deployments.list": (c, i) => c.deployments.list({ appId: i.appId }),
  "deployments.get": (c, i) => c.deployments.get({ deploymentId: i.deploymentId }),
  "deployments.buildLogs": (c, i) => c.deployments.buildLogs({ deploymentId: i.deploymentId }),
  "deployments.latestBuildLogs": (c, i) => c.deployments.latestBuildLogs({ appId: i.appId }),
  "deployments.onBuildLog": async (c, i) => drain(await c.deployments.onBuildLog({ deploymentId: i.deploymentId })),
  "envVars.list": (c, i) => c.envVars.list({ appId: i.appId }),
  "envVars.reveal": (c, i) => c.envVars.reveal({ appId: i.appId, key: "SECRET" }),
  "envVars.set": (c, i) => c.envVars.set({ appId: i.appId, key: "SECRET", value: "overwritten" }),
  "envVars.delete": (c, i) => c.envVars.delete({ appId: i.appId, key: "SECRET" }),
  "envVars.importDotenv": (c, i) => c.envVars.importDotenv({ appId: i.appId, text: "SECRET=overwritten" }),
  "domains.list": (c, i) => c.domains.list({ appId: i.appId }),
  "domains.get": (c, i) => c.domains.get({ domainId: i.domainId }),
  "domains.create": (c, i) => c.domains.create({ appId: i.appId, hostname: "stolen.example.org" }),
  "domains.verify": (c, i) => c.domains.verify({ domainId: i.domainId }),
  "domains.delete": (c, i) => c.domains.delete({ domainId: i.domainId }),
};

/** Procedures that take no foreign id: checked to show only the caller's own data. */
const CALLER_SCOPED = ["apps.list", "apps.overview", "apps.newAppDefaults", "apps.checkName", "apps.create", "deployments.recent"];

describe("authorisation: another user's ids are not found", () => {
  let h: AppHarness;
  let owner: TestUser;
  let stranger: TestUser;
  let ids: Ids;

  beforeAll(async () => {
    h = await startAppHarness();
    owner = await h.user("pro");
    stranger = await h.user("pro");
    const { app } = await owner.caller.apps.create({ name: "owned-app-one", repoUrl: "https://github.com/owner/app.git" });
    await owner.caller.envVars.set({ appId: app.id, key: "SECRET", value: "owner-value" });
    const deployment = await owner.caller.apps.deploy({ appId: app.id });
    await markDeployed(h.services, app.id, (await insertWorker(h.services)).id);
    const domain = await owner.caller.domains.create({ appId: app.id, hostname: "owner-domain.example.org" });
    ids = { appId: app.id, deploymentId: deployment.id, domainId: domain.id };
  });
  afterAll(async () => h.close());

  it("covers every procedure of apps, deployments, envVars and domains", () => {
    const all = Object.keys((appRouter as unknown as { _def: { procedures: Record<string, unknown> } })._def.procedures).filter((k) =>
      /^(apps|deployments|envVars|domains)\./.test(k),
    );
    const missing = all.filter((k) => !(k in BY_ID) && !CALLER_SCOPED.includes(k));
    expect(missing).toEqual([]);
  });

  for (const [name, call] of Object.entries(BY_ID)) {
    it(`${name} → NOT_FOUND`, async () => {
      await expectTrpcError(call(stranger.caller, ids), "NOT_FOUND");
    });
  }

  it("caller-scoped procedures never show the owner's data", async () => {
    expect(await stranger.caller.apps.list()).toEqual([]);
    expect((await stranger.caller.apps.overview()).total).toBe(0);
    expect(await stranger.caller.deployments.recent()).toEqual([]);
    expect(await stranger.caller.domains.list()).toEqual([]);
    expect((await stranger.caller.apps.newAppDefaults()).appCount).toBe(0);
    expect((await stranger.caller.apps.checkName({ name: "owned-app-one" })).ok).toBe(false);
  });

  it("nothing of the owner's changed", async () => {
    const app = await h.tdb.db.app.findUniqueOrThrow({ where: { id: ids.appId } });
    expect(app).toMatchObject({ status: "running", branch: "main", deletedAt: null, autoDeploy: false, webhookId: null });
    expect((await owner.caller.envVars.reveal({ appId: ids.appId, key: "SECRET" })).value).toBe("owner-value");
    expect(await h.tdb.db.domain.count({ where: { appId: ids.appId } })).toBe(1);
    expect(await h.tdb.db.domain.count({ where: { hostname: "stolen.example.org" } })).toBe(0);
    expect(await h.tdb.db.deployment.count({ where: { appId: ids.appId } })).toBe(1);
    expect(await h.tdb.db.job.count({ where: { appId: ids.appId, status: "pending" } })).toBe(0);
    expect(await h.tdb.db.auditEvent.count({ where: { userId: stranger.id } })).toBe(0);
  });
});
