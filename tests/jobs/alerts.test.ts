import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emitAlert, resolveAlertsBySource } from "../../src/server/alerts/alert-manager";
import { ruleUpdateSchema } from "../../src/server/alerts/alert-rule-schema";
import { ensureAppAlertRules } from "../../src/server/alerts/alert-rules";
import { applyEventToAlerts, resolveQuietCrashloops } from "../../src/server/alerts/event-alerts";
import { runAlertTick } from "../../src/server/alerts/threshold-poller";
import { checkWorkerHealth } from "../../src/server/workers/worker-health";
import type { PlatformEvent, PlatformEventSink } from "../../src/server/events/platform-events";
import type { LiveAppStats } from "../../src/server/stats/live-app-stats";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { createApp, createUser, createWorker } from "./fixtures/seed-data";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());
beforeEach(async () => {
  await t.db.alert.deleteMany();
  await t.db.app.deleteMany();
});

function sink(): PlatformEventSink & { events: PlatformEvent[] } {
  const events: PlatformEvent[] = [];
  return { events, emit: async (e) => void events.push(e), close: async () => undefined };
}

function stats(map: Map<number, Partial<LiveAppStats>>) {
  return {
    get(appId: number): LiveAppStats | undefined {
      const s = map.get(appId);
      if (!s) return undefined;
      return { appId, workerId: 1, cpuPct: 0, memBytes: 0, memLimit: 512 * 2 ** 20, netMbps: 0, netTotalBytes: 0, diskMbps: 0, updatedAt: Date.now(), ...s };
    },
  };
}

const minutes = (base: Date, m: number) => new Date(base.getTime() + m * 60_000);

describe("alert manager", () => {
  it("dedupes on (user, source type, source id) under concurrency and resolves by source", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id);
    const spec = { userId: user.id, appId: app.id, kind: "cpu", severity: "warning" as const, sourceType: "app_metric", sourceId: `${app.id}:cpu`, title: "High CPU", message: "" };
    const results = await Promise.all(Array.from({ length: 8 }, () => emitAlert(t.db, spec)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.alertId)).size).toBe(1);
    expect(await resolveAlertsBySource(t.db, user.id, "app_metric", `${app.id}:cpu`)).toBe(1);
    const resolved = await t.db.alert.findFirstOrThrow();
    expect(resolved.status).toBe("resolved");
    expect(resolved.openKey).toBeNull();
    // Once resolved, the same source can fire again as a new alert.
    expect((await emitAlert(t.db, spec)).created).toBe(true);
    expect(await t.db.alert.count()).toBe(2);
  });
});

describe("alert rules", () => {
  it("creates the defaults once and keeps edits", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id);
    await ensureAppAlertRules(t.db, app.id, user.id);
    await t.db.appAlertRule.update({ where: { appId_metric: { appId: app.id, metric: "cpu" } }, data: { threshold: 55 } });
    await ensureAppAlertRules(t.db, app.id, user.id);
    const rules = await t.db.appAlertRule.findMany({ where: { appId: app.id } });
    expect(rules.map((r) => r.metric).sort()).toEqual(["cpu", "disk", "memory", "network", "offline"]);
    expect(rules.find((r) => r.metric === "cpu")?.threshold).toBe(55);
  });

  it("refuses thresholds out of range with a message naming the range", () => {
    const bad = ruleUpdateSchema.safeParse({ metric: "cpu", threshold: 150, sustainMinutes: 5, enabled: true });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toBe("CPU threshold must be between 1 and 100 %.");
    expect(ruleUpdateSchema.safeParse({ metric: "offline", threshold: 0, sustainMinutes: 5, enabled: true }).success).toBe(false);
    expect(ruleUpdateSchema.safeParse({ metric: "memory", threshold: 80, sustainMinutes: 0, enabled: true }).success).toBe(false);
    expect(ruleUpdateSchema.safeParse({ metric: "network", threshold: Number.NaN, sustainMinutes: 5, enabled: true }).success).toBe(false);
    expect(ruleUpdateSchema.safeParse({ metric: "network", threshold: 250, sustainMinutes: 5, enabled: true }).success).toBe(true);
  });

  it("says what to type when a field is not a number, as the rule editor shows it", () => {
    const messages = (rule: Record<string, unknown>) => ruleUpdateSchema.safeParse({ metric: "cpu", threshold: 80, sustainMinutes: 5, enabled: true, ...rule }).error?.issues.map((i) => [i.path.join("."), i.message]);
    expect(messages({ threshold: Number.NaN })).toEqual([["threshold", "Enter a number."]]);
    expect(messages({ threshold: Number.POSITIVE_INFINITY })).toEqual([["threshold", "Enter a number."]]);
    expect(messages({ sustainMinutes: 1.5 })).toEqual([["sustainMinutes", "Enter whole minutes."]]);
    expect(messages({ sustainMinutes: 121 })).toEqual([["sustainMinutes", "Sustain can be at most 120 minutes."]]);
  });
});

describe("threshold poller", () => {
  it("fires after sustained breach, not before; resolves after sustained recovery (hysteresis)", async () => {
    const user = await createUser(t.db);
    const worker = await createWorker(t.db);
    const app = await createApp(t.db, user.id, { workerId: worker.id });
    await ensureAppAlertRules(t.db, app.id, user.id);
    await t.db.appAlertRule.update({ where: { appId_metric: { appId: app.id, metric: "cpu" } }, data: { threshold: 80, sustainMinutes: 2 } });
    // Simulated minutes pass faster than the stats' real timestamps; keep this test about CPU.
    await t.db.appAlertRule.update({ where: { appId_metric: { appId: app.id, metric: "offline" } }, data: { enabled: false } });
    const live = new Map<number, Partial<LiveAppStats>>([[app.id, { cpuPct: 95 }]]);
    const events = sink();
    const t0 = new Date();

    await runAlertTick({ db: t.db, stats: stats(live), events, now: t0 });
    await runAlertTick({ db: t.db, stats: stats(live), events, now: minutes(t0, 1) });
    expect(await t.db.alert.count()).toBe(0);
    // A dip below the threshold restarts the streak.
    live.set(app.id, { cpuPct: 50 });
    await runAlertTick({ db: t.db, stats: stats(live), events, now: minutes(t0, 1.5) });
    live.set(app.id, { cpuPct: 95 });
    await runAlertTick({ db: t.db, stats: stats(live), events, now: minutes(t0, 2) });
    await runAlertTick({ db: t.db, stats: stats(live), events, now: minutes(t0, 3.5) });
    expect(await t.db.alert.count()).toBe(0);
    // Sustained two minutes: fires once even when the tick runs twice.
    const tick = { db: t.db, stats: stats(live), events, now: minutes(t0, 4) };
    await Promise.all([runAlertTick(tick), runAlertTick(tick)]);
    await runAlertTick({ ...tick, now: minutes(t0, 4.5) });
    const alerts = await t.db.alert.findMany();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: "cpu", status: "active", appId: app.id });
    expect(alerts[0]!.message).toContain("95.0 %");
    expect(events.events.map((e) => e.type)).toEqual(["app.cpu"]);

    // Recovery must also be sustained.
    live.set(app.id, { cpuPct: 10 });
    await runAlertTick({ db: t.db, stats: stats(live), events, now: minutes(t0, 5) });
    await runAlertTick({ db: t.db, stats: stats(live), events, now: minutes(t0, 6) });
    expect((await t.db.alert.findFirstOrThrow()).status).toBe("active");
    await runAlertTick({ db: t.db, stats: stats(live), events, now: minutes(t0, 7) });
    expect((await t.db.alert.findFirstOrThrow()).status).toBe("resolved");
  });

  it("memory uses the share of the limit; an acknowledged alert is not raised again", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id, { workerId: (await createWorker(t.db)).id });
    await ensureAppAlertRules(t.db, app.id, user.id);
    await t.db.appAlertRule.update({ where: { appId_metric: { appId: app.id, metric: "memory" } }, data: { threshold: 75, sustainMinutes: 1 } });
    const live = new Map([[app.id, { memBytes: 400 * 2 ** 20, memLimit: 500 * 2 ** 20 }]]);
    const t0 = new Date();
    await runAlertTick({ db: t.db, stats: stats(live), now: t0 });
    await runAlertTick({ db: t.db, stats: stats(live), now: minutes(t0, 1) });
    const alert = await t.db.alert.findFirstOrThrow();
    expect(alert.kind).toBe("memory");
    await t.db.alert.update({ where: { id: alert.id }, data: { status: "acknowledged" } });
    await runAlertTick({ db: t.db, stats: stats(live), now: minutes(t0, 3) });
    expect(await t.db.alert.count()).toBe(1);
  });

  it("raises offline from heartbeat staleness", async () => {
    const user = await createUser(t.db);
    const worker = await createWorker(t.db, { lastHeartbeat: new Date(Date.now() - 10 * 60_000) });
    const app = await createApp(t.db, user.id, { workerId: worker.id });
    await ensureAppAlertRules(t.db, app.id, user.id);
    const events = sink();
    const t0 = new Date();
    await runAlertTick({ db: t.db, stats: stats(new Map()), events, now: t0 });
    await runAlertTick({ db: t.db, stats: stats(new Map()), events, now: minutes(t0, 1) });
    const alert = await t.db.alert.findFirstOrThrow();
    expect(alert).toMatchObject({ kind: "offline", severity: "critical" });
    expect(events.events.map((e) => e.type)).toEqual(["app.offline"]);
    // Stats arrive again: resolves after the sustain period.
    const live = new Map([[app.id, { updatedAt: Date.now() }]]);
    await runAlertTick({ db: t.db, stats: stats(live), events, now: minutes(t0, 1.5) });
    await runAlertTick({ db: t.db, stats: stats(live), events, now: minutes(t0, 2.6) });
    expect((await t.db.alert.findFirstOrThrow()).status).toBe("resolved");
  });

  it("still fires, and stays open, after worker health stopped the apps of the silent worker", async () => {
    const user = await createUser(t.db);
    const worker = await createWorker(t.db, { status: "online", lastHeartbeat: new Date(Date.now() - 10 * 60_000) });
    const app = await createApp(t.db, user.id, { workerId: worker.id });
    const userStopped = await createApp(t.db, user.id, { workerId: worker.id, status: "stopped" });
    await ensureAppAlertRules(t.db, app.id, user.id);
    await ensureAppAlertRules(t.db, userStopped.id, user.id);
    const events = sink();
    const t0 = new Date();
    await runAlertTick({ db: t.db, stats: stats(new Map()), events, now: t0 });
    // The health check wins the race and stops the worker's running apps first.
    const health = await checkWorkerHealth(t.db);
    expect(health.stoppedAppIds).toEqual([app.id]);
    await runAlertTick({ db: t.db, stats: stats(new Map()), events, now: minutes(t0, 1) });
    const alert = await t.db.alert.findFirstOrThrow();
    expect(alert).toMatchObject({ kind: "offline", appId: app.id, status: "active" });
    expect(events.events.map((e) => e.type)).toEqual(["app.offline"]);
    await runAlertTick({ db: t.db, stats: stats(new Map()), events, now: minutes(t0, 2) });
    expect((await t.db.alert.findFirstOrThrow()).status).toBe("active");
    expect(await t.db.alert.count({ where: { appId: userStopped.id } })).toBe(0);
    // The app runs again (worker back): the alert resolves.
    await t.db.worker.update({ where: { id: worker.id }, data: { status: "online", lastHeartbeat: new Date() } });
    await t.db.app.update({ where: { id: app.id }, data: { status: "stopped", statusReason: "Stopped by its owner." } });
    await runAlertTick({ db: t.db, stats: stats(new Map()), events, now: minutes(t0, 3) });
    expect((await t.db.alert.findFirstOrThrow()).status).toBe("resolved");
  });
});

describe("event alerts", () => {
  it("deployment failed raises once per app; success resolves it", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id);
    const failed: PlatformEvent = { type: "deployment.failed", userId: user.id, appId: app.id, data: { appName: app.name, error: "npm ci exited 1", commitSha: "0123456789abcdef" } };
    await applyEventToAlerts(t.db, failed);
    await applyEventToAlerts(t.db, failed);
    const alerts = await t.db.alert.findMany();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: "deployment_failed", message: "npm ci exited 1 (commit 0123456)" });
    await applyEventToAlerts(t.db, { type: "deployment.succeeded", userId: user.id, appId: app.id, data: {} });
    expect((await t.db.alert.findFirstOrThrow()).status).toBe("resolved");
  });

  it("crash loop needs several crashes within the window and resolves when quiet", async () => {
    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id);
    const crashed: PlatformEvent = { type: "app.crashed", userId: user.id, appId: app.id, data: { appName: app.name } };
    // An old crash outside the window does not count.
    await t.db.appEvent.create({ data: { appId: app.id, kind: "crashed", createdAt: new Date(Date.now() - 30 * 60_000) } });
    for (let i = 0; i < 2; i++) {
      await t.db.appEvent.create({ data: { appId: app.id, kind: "crashed" } });
      expect(await applyEventToAlerts(t.db, crashed)).toBe("ignored");
    }
    await t.db.appEvent.create({ data: { appId: app.id, kind: "crashed" } });
    expect(await applyEventToAlerts(t.db, crashed)).toBe("emitted");
    expect((await t.db.alert.findFirstOrThrow()).kind).toBe("crashloop");
    expect(await resolveQuietCrashloops(t.db)).toBe(0);
    await t.db.appEvent.updateMany({ where: { appId: app.id }, data: { createdAt: new Date(Date.now() - 60 * 60_000) } });
    expect(await resolveQuietCrashloops(t.db)).toBe(1);
  });
});
