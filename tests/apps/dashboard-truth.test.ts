import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emitAlert } from "../../src/server/alerts/alert-manager";
import { listenPort } from "../../src/server/apps/listen-port";
import { fleetOverview } from "../../src/server/status/fleet-overview";
import { insertWorker, markDeployed, startAppHarness, type AppHarness, type TestUser } from "./helpers/app-harness";

/** Issue 16 item 4: what the dashboard shows matches what is true. */
describe("the dashboard's numbers tell the truth", () => {
  let h: AppHarness;
  let u: TestUser;
  beforeAll(async () => {
    h = await startAppHarness();
  });
  beforeEach(async () => {
    u = await h.user("pro");
  });
  afterAll(async () => h.close());

  async function runningApp(name: string) {
    const worker = await insertWorker(h.services);
    const app = (await u.caller.apps.create({ name, repoUrl: `https://github.com/acme/${name}.git` })).app;
    await u.caller.apps.deploy({ appId: app.id });
    await markDeployed(h.services, app.id, worker.id);
    return { app, worker };
  }

  it("deleting an app resolves its open alerts", async () => {
    const { app } = await runningApp("alerted-app");
    await emitAlert(h.services.db, { userId: u.id, appId: app.id, kind: "offline", severity: "critical", sourceType: "app_offline", sourceId: String(app.id), title: "alerted-app is offline", message: "" });
    expect(await h.tdb.db.alert.count({ where: { appId: app.id, status: "active" } })).toBe(1);
    await u.caller.apps.delete({ appId: app.id });
    const rows = await h.tdb.db.alert.findMany({ where: { appId: app.id } });
    expect(rows.map((r) => [r.status, r.openKey])).toEqual([["resolved", null]]);
  });

  it("a worker's reserved CPU and memory count the apps it runs, not only jobs in progress", async () => {
    const { worker } = await runningApp("reserved-app");
    const plan = h.services.plans.for("pro");
    const { workers, stats } = await fleetOverview(h.services);
    const row = workers.find((w) => w.id === worker.id)!;
    // No job is in progress (markDeployed completed it), so everything reserved is the running app.
    expect(row).toMatchObject({ jobCpu: 0, usedCpu: plan.cpu, usedMem: plan.memoryMb, runningApps: 1 });
    expect(stats.usedCpu).toBeGreaterThanOrEqual(plan.cpu);
  });

  it("the overview shows the port the app listens on: the worker's PORT, or the internal port in a container", async () => {
    const { app } = await runningApp("port-app");
    await h.tdb.db.app.update({ where: { id: app.id }, data: { port: 41234, containerId: "pid-777" } });
    expect((await u.caller.apps.get({ appId: app.id })).listen).toEqual({ port: 41234, publishedOn: null, runtime: "process" });
    await h.tdb.db.app.update({ where: { id: app.id }, data: { containerId: "0123abcd" } });
    expect((await u.caller.apps.get({ appId: app.id })).listen).toEqual({ port: 8080, publishedOn: 41234, runtime: "container" });
    expect(listenPort({ internalPort: 8080, port: null, containerId: null })).toEqual({ port: null, publishedOn: null, runtime: null });
  });

  it("the audit log names apps and deployments instead of ids", async () => {
    const { app } = await runningApp("audited-app");
    await u.caller.envVars.set({ appId: app.id, key: "MODE", value: "x" });
    const { events } = await u.caller.audit.list({ limit: 50 });
    const byKind = new Map(events.map((e) => [e.kind, e.target]));
    expect(byKind.get("env_set")).toBe("app audited-app");
    expect(byKind.get("app_deploy")).toMatch(/audited-app/);
    expect(events.some((e) => /\bapp \d+\b|deployment \d+/.test(e.target ?? ""))).toBe(false);
  });
});
