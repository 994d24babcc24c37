import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitAlert } from "../../src/server/alerts/alert-manager";
import type { Services } from "../../src/server/runtime/services";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { callerFor } from "./fixtures/callers";
import { createApp, createUser, createWorker } from "./fixtures/seed-data";
import { testServices } from "./fixtures/test-services";

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

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    return err instanceof TRPCError ? err.code : String(err);
  }
}

describe("alerts router", () => {
  it("lists with filters and counters, acknowledges and resolves, scoped to the caller", async () => {
    const ada = await createUser(t.db);
    const bob = await createUser(t.db);
    const app = await createApp(t.db, ada.id);
    const other = await createApp(t.db, ada.id);
    const cpu = await emitAlert(t.db, { userId: ada.id, appId: app.id, kind: "cpu", severity: "warning", sourceType: "app_metric", sourceId: `${app.id}:cpu`, title: "High CPU", message: "" });
    await emitAlert(t.db, { userId: ada.id, appId: other.id, kind: "deployment_failed", severity: "critical", sourceType: "app_deploy", sourceId: String(other.id), title: "Failed", message: "" });
    const asAda = callerFor(services, { ...ada, role: "user" });
    const asBob = callerFor(services, { ...bob, role: "user" });

    const all = await asAda.alerts.list({});
    expect(all.items).toHaveLength(2);
    expect(all.counters).toEqual({ active: 2, acknowledged: 0, critical: 1, resolved24h: 0 });
    expect(all.kinds).toEqual(["cpu", "deployment_failed"]);
    expect((await asAda.alerts.list({ kind: "cpu" })).items.map((a) => a.id)).toEqual([cpu.alertId]);
    expect((await asAda.alerts.list({ appId: other.id })).items).toHaveLength(1);
    expect((await asBob.alerts.list({})).items).toHaveLength(0);

    expect(await code(asBob.alerts.acknowledge({ id: cpu.alertId }))).toBe("NOT_FOUND");
    await asAda.alerts.acknowledge({ id: cpu.alertId });
    expect((await asAda.alerts.list({ status: "acknowledged" })).items.map((a) => a.id)).toEqual([cpu.alertId]);
    expect(await code(asBob.alerts.resolve({ id: cpu.alertId }))).toBe("NOT_FOUND");
    await asAda.alerts.resolve({ id: cpu.alertId });
    const after = await asAda.alerts.list({});
    expect(after.counters).toMatchObject({ active: 1, acknowledged: 0, resolved24h: 1 });
  });

  it("gets default rules and validates rule edits per metric", async () => {
    const ada = await createUser(t.db);
    const app = await createApp(t.db, ada.id);
    const asAda = callerFor(services, { ...ada, role: "user" });
    const rules = await asAda.alerts.rules({ appId: app.id });
    expect(rules.map((r) => r.metric)).toEqual(["cpu", "memory", "network", "disk", "offline"]);
    expect(await code(asAda.alerts.updateRule({ appId: app.id, rule: { metric: "cpu", threshold: 101, sustainMinutes: 5, enabled: true } }))).toBe("BAD_REQUEST");
    expect(await code(asAda.alerts.updateRule({ appId: app.id, rule: { metric: "offline", threshold: 5, sustainMinutes: 500, enabled: true } }))).toBe("BAD_REQUEST");
    const updated = await asAda.alerts.updateRule({ appId: app.id, rule: { metric: "network", threshold: 250, sustainMinutes: 3, enabled: true } });
    expect(updated.find((r) => r.metric === "network")).toMatchObject({ threshold: 250, sustainMinutes: 3, enabled: true });
    const bob = await createUser(t.db);
    expect(await code(callerFor(services, { ...bob, role: "user" }).alerts.rules({ appId: app.id }))).toBe("NOT_FOUND");
  });
});

describe("usage, webhooks and admin routers", () => {
  it("usage is owner-scoped", async () => {
    const ada = await createUser(t.db);
    const bob = await createUser(t.db);
    const app = await createApp(t.db, ada.id);
    await t.db.usageSample.create({ data: { appId: app.id, userId: ada.id, bucketStart: new Date(Math.floor(Date.now() / 300_000) * 300_000), cpuAvg: 12, cpuMax: 20, samples: 1 } });
    const series = await callerFor(services, { ...ada, role: "user" }).usage.series({ appId: app.id, range: "1h" });
    expect(series.points).toHaveLength(1);
    expect(series.points[0]!.cpuMax).toBe(20);
    expect(await code(callerFor(services, { ...bob, role: "user" }).usage.series({ appId: app.id, range: "24h" }))).toBe("NOT_FOUND");
    expect(await callerFor(services, { ...ada, role: "user" }).usage.live({ appId: app.id })).toBeNull();
  });

  it("webhooks: create refuses private targets with BAD_REQUEST; other users get NOT_FOUND", async () => {
    const ada = await createUser(t.db);
    const bob = await createUser(t.db);
    const asAda = callerFor(services, { ...ada, role: "user" });
    expect(await code(asAda.webhooks.create({ url: "http://10.0.0.1/hook", events: ["deployment.failed"] }))).toBe("BAD_REQUEST");
    expect(await code(asAda.webhooks.create({ url: "http://93.184.216.34/hook", events: [] }))).toBe("BAD_REQUEST");
    const hook = await asAda.webhooks.create({ url: "https://93.184.216.34/hook", events: ["deployment.failed"] });
    expect(hook).not.toHaveProperty("secret");
    expect((await asAda.webhooks.revealSecret({ id: hook.id })).secret).toMatch(/^whsec_/);
    expect(await code(callerFor(services, { ...bob, role: "user" }).webhooks.revealSecret({ id: hook.id }))).toBe("NOT_FOUND");
    expect(await code(callerFor(services, { ...bob, role: "user" }).webhooks.delete({ id: hook.id }))).toBe("NOT_FOUND");
    expect(await asAda.webhooks.stats()).toMatchObject({ total: 1, active: 1, failed7d: 0 });
  });

  it("admin workers is for administrators only", async () => {
    const admin = await createUser(t.db, { role: "admin" });
    const user = await createUser(t.db);
    await createWorker(t.db, { name: `zone-worker-${admin.id}` });
    expect(await code(callerFor(services, { ...user, role: "user" }).admin.workers())).toBe("FORBIDDEN");
    const result = await callerFor(services, { ...admin, role: "admin" }).admin.workers();
    expect(result.stats.total).toBeGreaterThanOrEqual(1);
    expect(result.workers.some((w) => w.name === `zone-worker-${admin.id}`)).toBe(true);
  });

  it("dev mail lists the caller's caught messages outside production (issue 12 item 8: only their own)", async () => {
    const ada = await createUser(t.db);
    await t.db.caughtMail.create({ data: { toAddr: ada.email, subject: "Hi", text: "body" } });
    await t.db.caughtMail.create({ data: { toAddr: "x@example.test", subject: "Not for ada", text: "body" } });
    const list = await callerFor(services, { ...ada, role: "user" }).devMail.list();
    expect(list.map((m) => m.subject)).toEqual(["Hi"]);
    const production = testServices(t.url, { NODE_ENV: "production", WORKER_REGISTRATION_TOKEN: "w".repeat(20), TRAEFIK_PROXY_TOKEN: "t".repeat(20) });
    try {
      expect(await code(callerFor(production, { ...ada, role: "user" }).devMail.list())).toBe("NOT_FOUND");
    } finally {
      await production.close();
    }
  });
});
