import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startJobsProcess, type JobsProcess } from "../../src/jobs-process/start-jobs-process";
import type { Services } from "../../src/server/runtime/services";
import { performDeliveryAttempt } from "../../src/server/webhooks/deliver-webhook";
import { fanOutEvent } from "../../src/server/webhooks/fan-out";
import { createWebhook, updateWebhook } from "../../src/server/webhooks/webhook-crud";
import { listDeliveries, retryDelivery, sendTestDelivery, webhookStats } from "../../src/server/webhooks/webhook-deliveries";
import { revealWebhookSecret, rotateWebhookSecret } from "../../src/server/webhooks/webhook-secrets";
import { createGuardedAgent } from "../../src/server/webhooks/ssrf-guard";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { createApp, createUser } from "./fixtures/seed-data";
import { startReceiver } from "./fixtures/http-receiver";
import { testServices } from "./fixtures/test-services";
import { teamActor } from "../helpers/personal-team";

const LOOPBACK = { WEBHOOK_ALLOW_CIDRS: "127.0.0.1/32" };
let t: TestDatabase;
let web: Services;
const jobs: { services: Services; runtime: JobsProcess }[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let reply: (index: number) => { status: number; headers?: Record<string, string> } = () => ({ status: 200 });

beforeAll(async () => {
  t = await createTestDatabase();
  web = testServices(t.url, LOOPBACK);
  // Two jobs processes work the same queues.
  for (let i = 0; i < 2; i++) {
    const services = testServices(t.url, LOOPBACK);
    // A loopback receiver answers at once; the deadline only has to outlast a loaded machine.
    jobs.push({ services, runtime: await startJobsProcess(services, { ticks: false, webhookTimeoutMs: 10_000 }) });
  }
  receiver = await startReceiver((_req, res, index) => {
    const r = reply(index);
    res.writeHead(r.status, r.headers ?? {});
    res.end(`reply ${index}`);
  });
});
afterAll(async () => {
  for (const j of jobs) {
    await j.runtime.stop();
    await j.services.close();
  }
  await web.close();
  await receiver.close();
  await t.drop();
});
beforeEach(() => {
  receiver.received.length = 0;
  reply = () => ({ status: 200 });
});

/** The platform event of `type` for `appId` has been fanned out (its pg-boss job completed). */
async function fannedOut(type: string, appId: number): Promise<void> {
  await expect
    .poll(
      async () =>
        (await t.db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pgboss.job
          WHERE name = 'platform-events' AND data->>'type' = ${type} AND (data->>'appId')::int = ${appId} AND state = 'completed'`)[0]!.n,
      { timeout: 15_000 },
    )
    .toBe(1);
}

/** No delivery attempt of the endpoint is waiting or running: whatever was queued has been sent. */
async function deliveriesSettled(webhookId: number): Promise<void> {
  await expect
    .poll(
      async () =>
        (await t.db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pgboss.job
          WHERE name = 'webhook.deliver' AND (data->>'webhookId')::int = ${webhookId} AND state IN ('created', 'retry', 'active')`)[0]!.n,
      { timeout: 15_000 },
    )
    .toBe(0);
}

async function setup(events: string[] = ["deployment.succeeded", "deployment.failed"], channel?: "standard" | "discord" | "slack" | "ntfy") {
  const user = await createUser(t.db);
  const app = await createApp(t.db, user.id);
  const hook = await createWebhook(web, await teamActor(t.db, user.id), { url: receiver.url(`/u${user.id}`), events: events as never, channel });
  return { user, app, hook };
}

describe("outbound webhooks", () => {
  it("delivers a platform event once, signed per Standard Webhooks, and records the attempt", async () => {
    const { user, app, hook } = await setup();
    await web.events.emit({ type: "deployment.succeeded", userId: user.id, appId: app.id, data: { appName: app.name, commitSha: "0123456789abcdef", commitMessage: "Fix login\n\nlong body" } });

    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(1);
    const req = receiver.received[0]!;
    const secret = await revealWebhookSecret(web, await teamActor(t.db, user.id), { id: hook.id });
    expect(secret).toMatch(/^whsec_/);
    const verified = new StandardWebhook(secret).verify(req.body, req.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
    expect(verified.type).toBe("deployment.succeeded");
    expect(verified.data).toMatchObject({ appId: app.id, appName: app.name, commitSha: "0123456789abcdef" });

    await expect.poll(async () => (await listDeliveries(web, await teamActor(t.db, user.id), { id: hook.id }))[0]?.status, { timeout: 15_000 }).toBe("succeeded");
    const [row] = await listDeliveries(web, await teamActor(t.db, user.id), { id: hook.id });
    expect(row).toMatchObject({ attempt: 1, responseCode: 200, event: "deployment.succeeded", messageId: req.headers["webhook-id"] });
    const stored = await t.db.webhook.findUniqueOrThrow({ where: { id: hook.id } });
    expect([stored.totalDeliveries, stored.failedDeliveries]).toEqual([1, 0]);
    // Not subscribed: nothing sent. Once the event is fanned out and no attempt is queued, nothing can be.
    await web.events.emit({ type: "app.crashed", userId: user.id, appId: app.id, data: {} });
    await fannedOut("app.crashed", app.id);
    await deliveriesSettled(hook.id);
    expect(receiver.received).toHaveLength(1);
  });

  it("a redelivered event produces no second delivery", async () => {
    const { user, app, hook } = await setup();
    const event = { type: "deployment.failed" as const, userId: user.id, appId: app.id, data: {} };
    await fanOutEvent(t.db, web.queue, event, "same-event-key");
    await fanOutEvent(t.db, web.queue, event, "same-event-key");
    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(1);
    // Both fan-outs are in the queue already: once no attempt waits or runs, a second copy would be here.
    await deliveriesSettled(hook.id);
    expect(receiver.received).toHaveLength(1);
  });

  it("retries a failure honouring Retry-After and counts every attempt on the parent", async () => {
    const { user, app, hook } = await setup();
    reply = (i) => (i === 0 ? { status: 503, headers: { "retry-after": "1" } } : { status: 200 });
    await web.events.emit({ type: "deployment.failed", userId: user.id, appId: app.id, data: { appName: app.name } });
    await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBe(2);
    expect(receiver.received[0]!.headers["webhook-id"]).toBe(receiver.received[1]!.headers["webhook-id"]);
    await expect.poll(async () => (await listDeliveries(web, await teamActor(t.db, user.id), { id: hook.id })).map((d) => [d.attempt, d.status, d.responseCode]), { timeout: 15_000 }).toEqual([
      [2, "succeeded", 200],
      [1, "failed", 503],
    ]);
    const stored = await t.db.webhook.findUniqueOrThrow({ where: { id: hook.id } });
    expect([stored.totalDeliveries, stored.failedDeliveries]).toEqual([2, 1]);
    expect(await webhookStats(web, await teamActor(t.db, user.id))).toMatchObject({ total: 1, active: 1, failed7d: 1 });
  });

  it("410 Gone disables the endpoint and stops retrying", async () => {
    const { user, app, hook } = await setup();
    reply = () => ({ status: 410 });
    await web.events.emit({ type: "deployment.failed", userId: user.id, appId: app.id, data: {} });
    await expect.poll(async () => (await t.db.webhook.findUniqueOrThrow({ where: { id: hook.id } })).active, { timeout: 15_000 }).toBe(false);
    const stored = await t.db.webhook.findUniqueOrThrow({ where: { id: hook.id } });
    expect(stored.disabledReason).toMatch(/410/);
    // No retry: once no attempt of the endpoint waits or runs, none can arrive.
    await deliveriesSettled(hook.id);
    expect(receiver.received).toHaveLength(1);
    const [row] = await listDeliveries(web, await teamActor(t.db, user.id), { id: hook.id });
    expect(row!.nextRetryAt).toBeNull();
    // A manual retry is refused while disabled; re-enabling allows it.
    await expect(retryDelivery(web, await teamActor(t.db, user.id), { deliveryId: row!.id })).rejects.toThrow(/disabled/);
    await updateWebhook(web, await teamActor(t.db, user.id), { id: hook.id, active: true });
    reply = () => ({ status: 200 });
    expect(await retryDelivery(web, await teamActor(t.db, user.id), { deliveryId: row!.id })).toEqual({ attempt: 2 });
    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(2);
  });

  it("chat channels get compact text through the same pipeline", async () => {
    for (const channel of ["discord", "slack", "ntfy"] as const) {
      receiver.received.length = 0;
      const { user, app } = await setup(["deployment.failed"], channel);
      await web.events.emit({ type: "deployment.failed", userId: user.id, appId: app.id, data: { appName: app.name, commitSha: "abcdef0123456", commitMessage: "Add cache\nsecond line", error: "exit 1" } });
      await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(1);
      const req = receiver.received[0]!;
      const text = channel === "ntfy" ? req.body : channel === "discord" ? (JSON.parse(req.body) as { content: string }).content : (JSON.parse(req.body) as { text: string }).text;
      expect(text).toContain(`❌ Deployment failed — ${app.name}`);
      expect(text).toContain("`abcdef0` Add cache");
      expect(text).not.toContain("second line");
      expect(text).toContain(`/apps/${app.id}`);
      if (channel === "ntfy") expect(req.headers.title).toBe(`Deployment failed - ${app.name}`);
      expect(req.headers["webhook-signature"]).toMatch(/^v1,/);
    }
  });

  it("test send answers synchronously; rotation changes the signing secret; other users see nothing", async () => {
    const { user, hook } = await setup(["deployment.failed"]);
    const dispatcher = createGuardedAgent({ allowCidrs: "127.0.0.1/32" });
    const before = await revealWebhookSecret(web, await teamActor(t.db, user.id), { id: hook.id });
    const rotated = await rotateWebhookSecret(web, await teamActor(t.db, user.id), { id: hook.id });
    expect(rotated).not.toBe(before);
    const outcome = await sendTestDelivery({ ...web, webhookDispatcher: dispatcher }, await teamActor(t.db, user.id), { id: hook.id });
    expect(outcome).toMatchObject({ status: "succeeded", responseCode: 200 });
    const req = receiver.received[0]!;
    expect((new StandardWebhook(rotated).verify(req.body, req.headers as Record<string, string>) as { type: string }).type).toBe("webhook.test");
    expect(() => new StandardWebhook(before).verify(req.body, req.headers as Record<string, string>)).toThrow();

    const other = await createUser(t.db);
    await expect(revealWebhookSecret(web, await teamActor(t.db, other.id), { id: hook.id })).rejects.toThrow(/not found/);
    await expect(listDeliveries(web, await teamActor(t.db, other.id), { id: hook.id })).rejects.toThrow(/not found/);
    await expect(sendTestDelivery({ ...web, webhookDispatcher: dispatcher }, await teamActor(t.db, other.id), { id: hook.id })).rejects.toThrow(/not found/);
    await dispatcher.close();
  });

  it("an attempt the guard refuses at connect time is recorded as failed and not retried", async () => {
    const { user, hook } = await setup(["deployment.failed"]);
    const strictAgent = createGuardedAgent();
    const sent: unknown[] = [];
    const outcome = await performDeliveryAttempt(
      { db: t.db, cipher: web.cipher, dispatcher: strictAgent, queue: {
          send: async (...args) => {
            sent.push(args);
            return null;
          },
        }, publicUrl: "http://localhost", log: web.log },
      { messageId: "msg_blocked_1", webhookId: hook.id, attempt: 1, envelope: { type: "deployment.failed", appId: null, data: {}, timestamp: new Date().toISOString() } },
    );
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toMatch(/not a public internet address/);
    expect(outcome.nextRetryAt).toBeNull();
    expect(sent).toEqual([]);
    expect(receiver.received).toHaveLength(0);
    const [row] = await listDeliveries(web, await teamActor(t.db, user.id), { id: hook.id });
    expect(row).toMatchObject({ status: "failed", responseCode: null });
    await strictAgent.close();
  });

  it("refuses private URLs at creation with a clear message", async () => {
    const user = await createUser(t.db);
    const strict = testServices(t.url);
    await expect(createWebhook(strict, await teamActor(t.db, user.id), { url: "http://169.254.169.254/latest", events: ["deployment.failed"] })).rejects.toThrow(/not a public internet address/);
    await expect(createWebhook(strict, await teamActor(t.db, user.id), { url: "http://127.0.0.1:9/x", events: [] as never })).rejects.toThrow();
    await strict.close();
  });
});
