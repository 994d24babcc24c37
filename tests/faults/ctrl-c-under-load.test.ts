import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runtimeFile } from "../../src/server/config/config";
import { createDb, type Db } from "../../src/server/db/client";
import { isPortFree } from "../../src/net/free-port";
import { eventually } from "../agent/support/runtime-harness";
import { freePort } from "../helpers/free-port";
import { createBurstAppRepo } from "./support/burst-app-repo";
import { DashboardUser } from "./support/dashboard-user";
import { killLeftovers } from "./support/leftover-processes";
import { NpmStart } from "../launcher/support/npm-start-process";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver";

/**
 * Ctrl-C of `npm start` while a user works (issue 14 item 4, docs/reliability.md): an app has just
 * written 1,000 log lines that are still on their way (agent buffer, hub buffer), outbound webhook
 * deliveries are waiting (the endpoint answers 503 with Retry-After, so none can land before the
 * stop) and a deploy is in flight (its app holds its listen back for minutes). After the stop and
 * the next `npm start`: every line is stored once, every webhook event arrives under the id it was
 * first tried with, and the deploy ended once.
 */
const EMAIL = "ctrl-c@example.com";
const PASSWORD = "graceful-stop-passphrase-2026";
const LINES = 1_000;
const TAG = "ctrl-c";
const NEW_DEVICES = ["198.51.100.31", "198.51.100.32", "198.51.100.33", "198.51.100.34", "198.51.100.35"];
/** A first start may build the dashboard (cached by source fingerprint, shared with e2e and the fault suite). */
const START_MS = 300_000;

const dataDir = mkdtempSync(join(tmpdir(), "wh-ctrl-c-"));
chmodSync(dataDir, 0o755);
const started: NpmStart[] = [];
let db: Db | undefined;
let receiver: WebhookReceiver | undefined;

afterAll(async () => {
  await db?.$disconnect().catch(() => undefined);
  // A run the test left running (it failed half-way) gets a Ctrl-C too, so Postgres stops cleanly.
  for (const run of started) await run.stopAfterFailure();
  await receiver?.stop();
  const leftBehind = killLeftovers(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  if (leftBehind.length > 0) throw new Error(`npm start left processes running (now killed): ${leftBehind.join(", ")}`);
}, 120_000);

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false>): Promise<NonNullable<T>> {
  try {
    return (await eventually(probe, timeoutMs, what)) as NonNullable<T>;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${started.at(-1)?.output().slice(-4_000) ?? ""}`);
  }
}

async function startNpm(env: NodeJS.ProcessEnv): Promise<{ run: NpmStart; db: Db }> {
  const run = new NpmStart(env);
  started.push(run);
  await run.waitFor("WiseHosting is running", START_MS);
  const { databaseUrl } = JSON.parse(readFileSync(runtimeFile(dataDir), "utf8")) as { databaseUrl: string };
  return { run, db: createDb(databaseUrl, { max: 2 }) };
}

/** Ctrl-C, then the launcher's own clean stop: nothing killed for taking too long, nothing left. */
async function ctrlC(run: NpmStart, ports: number[]): Promise<void> {
  run.ctrlC();
  const { code, signal } = await run.exited;
  // npm re-raises the signal once its script ends; what counts is the launcher's clean stop.
  expect(code === 0 || signal === "SIGINT", run.output().slice(-4_000)).toBe(true);
  await run.waitFor("[launcher] stopped", 15_000);
  expect(run.output()).not.toMatch(/did not stop within/);
  expect(run.groupAlive()).toBe(false);
  for (const port of ports) expect(await isPortFree(port)).toBe(true);
}

describe("Ctrl-C of npm start under load", () => {
  it(
    "stores every buffered log line, resumes pending webhook deliveries after the next start and ends the deploy in flight once",
    async () => {
      const [webPort, hubPort, pgPort, ingressPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATA_DIR: dataDir,
        WEB_PORT: String(webPort),
        HUB_PORT: String(hubPort),
        EMBEDDED_PG_PORT: String(pgPort),
        DEV_INGRESS_PORT: String(ingressPort),
        NEXT_DIST_DIR: ".next-e2e",
        DATABASE_URL: "",
        LOG_LEVEL: "warn",
        // Processes: this test is about the control plane's stop, not an engine's.
        AGENT_RUNTIME: "process",
        AGENT_NAME: "ctrl-c-agent",
        WEBHOOK_ALLOW_CIDRS: "127.0.0.1/32",
        TRUST_PROXY: "loopback",
      };
      // The development defaults: no Redis, the built-in mail catcher.
      for (const name of ["NODE_ENV", "REDIS_URL", "SMTP_URL"]) delete (env as Record<string, string | undefined>)[name];
      const ports = [webPort, hubPort, pgPort, ingressPort];
      const burstRepo = createBurstAppRepo(join(dataDir, "repos", "burst-app"));
      receiver = await startWebhookReceiver({ refuseRetryAfterSeconds: 20 });

      // First run: a user, a webhook endpoint, an app that logs, a deploy that stays in flight.
      const first = await startNpm(env);
      db = first.db;
      const webUrl = `http://localhost:${webPort}`;
      const user = new DashboardUser(webUrl, { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36", address: "198.51.100.30" });
      await user.signUpAndIn(EMAIL, PASSWORD);
      await user.trpc.webhooks.create.mutate({ name: "ctrl-c", url: receiver.url, channel: "standard", events: ["deployment.succeeded", "deployment.failed", "account.login_new_device"] });
      const burst = (await user.trpc.apps.create.mutate({ repoUrl: burstRepo, deploy: true })).app.id;
      const port = await until("the burst app to run", 180_000, async () => {
        const app = await db!.app.findUniqueOrThrow({ where: { id: burst } });
        return app.status === "running" && app.port ? app.port : null;
      });

      // From here no delivery can land before the stop: each attempt is answered 503, Retry-After 20 s.
      receiver.refusing = true;
      // A redeploy whose new release holds its listen back for 15 minutes: in flight until the stop.
      // The running release keeps serving (and logging) meanwhile.
      await user.trpc.envVars.set.mutate({ appId: burst, key: "START_DELAY_SECONDS", value: "900" });
      const firstJob = await db.job.findFirstOrThrow({ where: { appId: burst }, orderBy: { id: "desc" } });
      await user.trpc.apps.deploy.mutate({ appId: burst });
      const inFlight = await until("the redeploy to be in flight on the worker", 120_000, async () =>
        db!.job.findFirst({ where: { appId: burst, id: { gt: firstJob.id }, status: "processing" } }),
      );
      for (const [i, address] of NEW_DEVICES.entries()) {
        await new DashboardUser(webUrl, { userAgent: `Mozilla/5.0 (Macintosh) Firefox/14${i}.0`, address }).signIn(EMAIL, PASSWORD);
      }
      const written = await fetch(`http://127.0.0.1:${port}/burst?n=${LINES}&tag=${TAG}`);
      expect(await written.text()).toContain(`written ${LINES}`);

      await ctrlC(first.run, ports);
      await db.$disconnect();
      db = undefined;
      const refusedBeforeStop = new Set(receiver.refused.map((d) => d.id));

      // Second run: the endpoint accepts again.
      receiver.refusing = false;
      const second = await startNpm(env);
      db = second.db;

      // Every line the app wrote before Ctrl-C was stored, once (nothing resends them now: the agent that held them is gone).
      const stored = await db.runtimeLog.findMany({ where: { appId: burst, line: { startsWith: `${TAG} line ` } }, select: { line: true } });
      expect(new Set(stored.map((s) => s.line)).size, "distinct buffered lines stored").toBe(LINES);
      expect(stored.length, "a buffered line was stored twice").toBe(LINES);

      // The deploy in flight ended once: finished, or failed with a reason (the agent notes the jobs it starts).
      const slowJob = await until("the interrupted deploy to end", 180_000, async () => {
        const jobs = await db!.job.findMany({ where: { appId: burst, id: { gt: firstJob.id } } });
        return jobs.length === 1 && jobs[0]!.id === inFlight.id && ["completed", "failed"].includes(jobs[0]!.status) ? jobs[0]! : null;
      });
      if (slowJob.status === "failed") expect(slowJob.error, "a failed job says why").toMatch(/\w{8,}/);

      // Webhooks: the deliveries pending at the stop arrive after the start, each event under one id.
      const finishedDeploys = await db.job.count({ where: { type: { in: ["deploy", "restart"] }, status: { in: ["completed", "failed"] } } });
      await until("every pending webhook delivery to arrive after the restart", 180_000, async () => {
        const deployIds = new Set(receiver!.deliveries.filter((d) => d.type.startsWith("deployment.")).map((d) => d.id));
        const devices = NEW_DEVICES.every((a) => receiver!.deliveries.some((d) => d.type === "account.login_new_device" && d.body.includes(a)));
        return deployIds.size >= finishedDeploys && devices;
      });
      const delivered = new Set(receiver.deliveries.map((d) => d.id));
      for (const id of refusedBeforeStop) expect(delivered.has(id), `the event first tried as ${id} was never delivered`).toBe(true);
      expect(new Set(receiver.deliveries.filter((d) => d.type.startsWith("deployment.")).map((d) => d.id)).size, "a deploy event under two ids").toBe(finishedDeploys);
      for (const address of NEW_DEVICES) {
        const ids = new Set(receiver.deliveries.filter((d) => d.type === "account.login_new_device" && d.body.includes(address)).map((d) => d.id));
        expect(ids.size, `the new-device event for ${address} under two ids`).toBe(1);
      }
      const bodies = new Map<string, string>();
      for (const d of [...receiver.refused, ...receiver.deliveries]) {
        const seen = bodies.get(d.id);
        if (seen !== undefined) expect(d.body, "one webhook id carried two different events").toBe(seen);
        bodies.set(d.id, d.body);
      }

      await db.$disconnect();
      db = undefined;
      await ctrlC(second.run, ports);
    },
    900_000,
  );
});
