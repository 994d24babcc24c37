import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { startJobsProcess } from "../../src/jobs-process/start-jobs-process";
import { createWebhook } from "../../src/server/webhooks/webhook-crud";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { teamActor } from "../helpers/personal-team";
import { createApp, createUser } from "./fixtures/seed-data";
import { startReceiver } from "./fixtures/http-receiver";
import { testServices } from "./fixtures/test-services";

/**
 * A jobs process killed (kill -9) while a webhook attempt is on the wire: pg-boss hands the
 * attempt's job to another jobs process once the heartbeat stops (src/jobs-process/start-boss.ts),
 * and that retry takes over the attempt the dead run had claimed, so the event arrives under the
 * same webhook-id instead of being skipped as "claimed" (src/server/webhooks/deliver-webhook.ts).
 */
const ENV = { WEBHOOK_ALLOW_CIDRS: "127.0.0.1/32" };
const APP_SECRET = "x".repeat(40);

describe("a webhook attempt whose jobs process dies on the wire", () => {
  let t: TestDatabase | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await t?.drop();
  });

  it("is delivered by another jobs process under the same id", async () => {
    t = await createTestDatabase();
    const web = testServices(t.url, ENV);
    cleanups.push(() => web.close());
    // The first request is held (the dying process's attempt); every later one is answered.
    const held: import("node:http").ServerResponse[] = [];
    const receiver = await startReceiver((_req, res, index) => (index === 0 ? held.push(res) : res.writeHead(204).end()));
    cleanups.push(() => receiver.close());

    let out = "";
    const doomed = spawn(process.execPath, ["--import", "tsx", "src/jobs-process/main.ts"], {
      env: { ...process.env, ...ENV, APP_SECRET, NODE_ENV: "test", DATABASE_URL: t.url, LOG_LEVEL: "info", DATA_DIR: "/tmp/wh-jobs-test-data", REPO_CHECK_ENABLED: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const gone = new Promise<void>((resolve) => doomed.once("exit", () => resolve()));
    cleanups.push(async () => {
      if (doomed.exitCode === null && doomed.signalCode === null) doomed.kill("SIGKILL");
      await gone;
    });
    doomed.stdout.on("data", (d: Buffer) => (out += d.toString()));
    doomed.stderr.on("data", (d: Buffer) => (out += d.toString()));
    await expect.poll(() => out, { timeout: 90_000, interval: 250 }).toContain("jobs process started");

    const user = await createUser(t.db);
    const app = await createApp(t.db, user.id);
    await createWebhook(web, await teamActor(t.db, user.id), { url: receiver.url(`/u${user.id}`), events: ["deployment.failed"] });
    await web.events.emit({ type: "deployment.failed", userId: user.id, appId: app.id, data: { appName: app.name } });
    await expect.poll(() => receiver.received.length, { timeout: 30_000 }).toBe(1);
    doomed.kill("SIGKILL");
    await gone;

    const services = testServices(t.url, ENV);
    cleanups.push(() => services.close());
    const survivor = await startJobsProcess(services, { ticks: false, webhookTimeoutMs: 10_000 });
    cleanups.push(() => survivor.stop());
    // Heartbeat 10 s, monitor pass within 15 s, retry delay 5 s: well inside the minute.
    await expect.poll(() => receiver.received.length, { timeout: 60_000 }).toBe(2);
    const [first, second] = receiver.received;
    expect(second!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
    await expect.poll(async () => (await t!.db.webhookDelivery.findMany({ where: { messageId: String(first!.headers["webhook-id"]) } })).map((d) => [d.attempt, d.status]), { timeout: 15_000 }).toEqual([[1, "succeeded"]]);
    for (const res of held) res.destroy();
  }, 180_000);
});
