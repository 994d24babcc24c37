import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSmtpSink } from "../../../e2e/support/smtp-sink";
import { buildChildEnv } from "../../../src/launcher/child-env";
import { childSpecs } from "../../../src/launcher/platform";
import { PostgresServer } from "../../../src/launcher/postgres-server";
import { ensureWebBuild } from "../../../src/launcher/web-build";
import { ensureSampleRepository } from "../../../src/sample-repo/ensure-sample-repository";
import { devSecretsForGaps } from "../../../src/server/config/dev-secrets";
import { createDb, type Db } from "../../../src/server/db/client";
import { migrate } from "../../../src/server/db/migrator";
import { freePort } from "../../helpers/free-port";
import { startTestRedis, type TestRedis } from "../../helpers/redis-server";
import { childSpecNamed, controlPlaneServices } from "./control-plane-services";
import { killLeftovers } from "./leftover-processes";
import { ServiceProcess } from "./service-process";

/** The worker's name (the suite looks its row up by it). */
export const AGENT_NAME = "fault-agent";

/** Something the suite can take away and bring back: a process, Postgres, Redis or the SMTP server. */
export interface FaultTarget {
  name: string;
  /** kill -9 (processes and Postgres) or gone (Redis, SMTP). */
  fail(): Promise<void>;
  /** Started again as its service manager would, on the same port and data. */
  recover(): Promise<void>;
}

/**
 * The whole platform on free loopback ports, every part its own process as in production
 * (docs/production.md): Postgres (the embedded binaries, own data folder), Redis, a real SMTP
 * server, ws-hub, two jobs processes, the web (the built dashboard) and one agent running the
 * sample app as processes. The suite plays the service manager: it kills a part and starts it
 * again, as systemd's Restart=always would.
 */
export class FaultPlatform {
  readonly dir = mkdtempSync(join(tmpdir(), "wh-faults-"));
  readonly mailDir = join(this.dir, "mail");
  webUrl = "";
  hubUrl = "";
  databaseUrl = "";
  sampleRepoUrl = "";
  db!: Db;
  private pg!: PostgresServer;
  private redis!: TestRedis;
  private smtp?: { stop(): Promise<void> };
  private smtpPort = 0;
  readonly services: Record<"web" | "hub" | "jobs-1" | "jobs-2" | "agent", ServiceProcess> = {} as never;

  async start(log: (line: string) => void): Promise<void> {
    chmodSync(this.dir, 0o755);
    const [webPort, hubPort, pgPort] = [await freePort(), await freePort(), await freePort()];
    this.smtpPort = await freePort();
    this.pg = new PostgresServer({ dataDir: join(this.dir, "postgres"), port: pgPort });
    await this.pg.initialise();
    await this.pg.start(60_000);
    await this.pg.createDatabase("wisehosting");
    this.databaseUrl = this.pg.url("wisehosting");
    await migrate(this.databaseUrl, { log: () => undefined });
    this.db = createDb(this.databaseUrl, { max: 3 });
    this.redis = await startTestRedis();
    await this.startSmtp();
    this.sampleRepoUrl = await ensureSampleRepository(join(this.dir, "sample-app"));

    this.webUrl = `http://localhost:${webPort}`;
    this.hubUrl = `http://127.0.0.1:${hubPort}`;
    const operator: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      WH_ENV: "development",
      DATA_DIR: this.dir,
      WEB_PORT: String(webPort),
      HUB_PORT: String(hubPort),
      BIND_HOST: "127.0.0.1",
      REDIS_URL: this.redis.url,
      SMTP_URL: `smtp://127.0.0.1:${this.smtpPort}`,
      WEBHOOK_ALLOW_CIDRS: "127.0.0.1/32",
      TRUST_PROXY: "loopback",
      LOCAL_REPOS_ENABLED: "true",
      LOG_LEVEL: "warn",
      AGENT_NAME,
    };
    const distDir = process.env.NEXT_DIST_DIR ?? ".next-e2e";
    const env = buildChildEnv({
      env: operator as NodeJS.ProcessEnv,
      generatedSecrets: devSecretsForGaps(this.dir, operator),
      databaseUrl: this.databaseUrl,
      dataDir: this.dir,
      webUrl: this.webUrl,
      hubPort,
      distDir,
      sampleRepoUrl: this.sampleRepoUrl,
    });
    // The same dashboard build the e2e run and the npm start test use (cached by source fingerprint).
    await ensureWebBuild({ root: process.cwd(), distDir, env, write: log });

    // The processes exactly as `npm start` runs them (src/launcher/platform.ts), two jobs processes, one agent.
    const agentEnv = {
      AGENT_RUNTIME: "process",
      AGENT_STATE_DIR: join(this.dir, "agent"),
      AGENT_HEARTBEAT_SECONDS: "2",
      AGENT_STATS_SECONDS: "1",
      AGENT_START_TIMEOUT_SECONDS: "30",
      // Only a clean stop (the end of the suite) stops the apps; a kill -9 of the agent leaves them running.
      AGENT_STOP_APPS_ON_EXIT: "true",
    };
    const specs = childSpecs({ root: process.cwd() }, env, agentEnv);
    Object.assign(this.services, controlPlaneServices(specs, { hubUrl: this.hubUrl, webUrl: this.webUrl }));
    this.services.agent = new ServiceProcess({
      ...childSpecNamed(specs, "agent", { LOG_LEVEL: "info" }),
      ready: async () => (await this.db.worker.findUnique({ where: { name: AGENT_NAME } }))?.status === "online",
    });
    mkdirSync(join(this.dir, "agent"), { recursive: true });
    await Promise.all([this.services.hub.start(), this.services["jobs-1"].start(), this.services["jobs-2"].start(), this.services.web.start()]);
    await this.services.agent.start();
  }

  private async startSmtp(): Promise<void> {
    this.smtp = await startSmtpSink(this.mailDir, this.smtpPort);
  }

  /** The faults, one per part, in the order the suite applies them. */
  targets(): FaultTarget[] {
    const processTarget = (name: keyof FaultPlatform["services"]): FaultTarget => ({
      name,
      fail: () => this.services[name].kill9(),
      recover: () => this.services[name].waitReady(),
    });
    return [
      processTarget("web"),
      processTarget("jobs-1"),
      processTarget("hub"),
      processTarget("agent"),
      {
        name: "postgres",
        fail: () => this.killPostgres(),
        recover: () => this.pg.start(60_000),
      },
      { name: "redis", fail: () => this.redis.stop(), recover: () => this.redis.restart() },
      {
        name: "smtp",
        fail: async () => {
          await this.smtp?.stop();
          this.smtp = undefined;
        },
        recover: () => this.startSmtp(),
      },
    ];
  }

  /** SIGKILL to the postmaster's whole group: the backends die with it; the next start recovers from the WAL. */
  private async killPostgres(): Promise<void> {
    const pid = this.pg.pid;
    if (!pid) return;
    process.kill(-pid, "SIGKILL");
    for (;;) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  output(): string {
    return Object.values(this.services)
      .map((s) => `--- ${s.spec.name}\n${s.output().slice(-3_000)}`)
      .join("\n");
  }

  async stop(): Promise<void> {
    const s = this.services;
    await Promise.all([s.web?.stop(), s.agent?.stop()]);
    await s.hub?.stop();
    await Promise.all([s["jobs-1"]?.stop(), s["jobs-2"]?.stop()]);
    await this.db?.$disconnect().catch(() => undefined);
    await this.pg?.stop().catch(() => undefined);
    await this.redis?.stop().catch(() => undefined);
    await this.smtp?.stop().catch(() => undefined);
    // Nothing may outlive the platform: the agent stops its apps on a clean stop (AGENT_STOP_APPS_ON_EXIT).
    const leftBehind = killLeftovers(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
    if (leftBehind.length > 0) throw new Error(`the stopped platform left processes running (now killed): ${leftBehind.join(", ")}`);
  }
}
