import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSmtpSink } from "../../e2e/support/smtp-sink";
import { buildChildEnv } from "../../src/launcher/child-env";
import { childSpecs } from "../../src/launcher/platform";
import { PostgresServer } from "../../src/launcher/postgres-server";
import { ensureWebBuild } from "../../src/launcher/web-build";
import { devSecretsForGaps } from "../../src/server/config/dev-secrets";
import { migrate } from "../../src/server/db/migrator";
import { controlPlaneServices, type ControlPlaneName } from "../../tests/faults/support/control-plane-services";
import { killLeftovers } from "../../tests/faults/support/leftover-processes";
import { ServiceProcess } from "../../tests/faults/support/service-process";
import { freePort } from "../../tests/helpers/free-port";
import { startTestRedis, type TestRedis } from "../../tests/helpers/redis-server";
import { platformPids } from "./platform-pids";

function parentPid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

export type LoadServiceName = ControlPlaneName;

/** The entry file on each process's command line, to find its pid in /proc (platform-pids.ts). */
const ENTRIES = { web: "src/web/server.ts", hub: "src/ws-hub/main.ts" } as const;

/**
 * The platform the load benchmark drives, laid out as the fault suite lays it out
 * (tests/faults/support/fault-platform.ts) minus the agent: Postgres (the embedded binaries, own
 * data folder), Redis, a real SMTP server, one ws-hub, two jobs processes and the web (the built
 * dashboard), each process run as its service manager would (tests/faults/support/service-process.ts:
 * own process group, started again a second after it dies), so a kill -9 mid-run comes back by itself.
 * The simulated workers (load-fleet-process.ts) stand in for agents.
 */
export class LoadPlatform {
  readonly dir = mkdtempSync(join(tmpdir(), "wh-bench-load-"));
  /** The dashboard's address (its Host allow-list holds localhost:<port>). */
  webUrl = "";
  webPort = 0;
  hubUrl = "";
  databaseUrl = "";
  appSecret = "";
  private pg!: PostgresServer;
  private redis?: TestRedis;
  private smtp?: { stop(): Promise<void> };
  readonly services = {} as Record<LoadServiceName, ServiceProcess>;

  async start(log: (line: string) => void): Promise<void> {
    chmodSync(this.dir, 0o755); // the embedded Postgres runs as its own user (src/launcher/postgres-server.ts)
    const [webPort, hubPort, pgPort, smtpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    this.pg = new PostgresServer({ dataDir: join(this.dir, "postgres"), port: pgPort });
    await this.pg.initialise();
    await this.pg.start(60_000);
    await this.pg.createDatabase("wisehosting");
    this.databaseUrl = this.pg.url("wisehosting");
    await migrate(this.databaseUrl, { log: () => undefined });
    this.redis = await startTestRedis();
    this.smtp = await startSmtpSink(join(this.dir, "mail"), smtpPort);

    this.webPort = webPort;
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
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      TRUST_PROXY: "loopback",
      LOG_LEVEL: process.env.BENCH_VERBOSE === "1" ? "info" : "warn",
    };
    const generatedSecrets = devSecretsForGaps(this.dir, operator);
    const distDir = process.env.NEXT_DIST_DIR ?? ".next-bench";
    const env = buildChildEnv({ env: operator as NodeJS.ProcessEnv, generatedSecrets, databaseUrl: this.databaseUrl, dataDir: this.dir, webUrl: this.webUrl, hubPort, distDir });
    this.appSecret = env.APP_SECRET ?? "";
    if (!this.appSecret) throw new Error("the child environment has no APP_SECRET");
    // The dashboard build bench:latency uses too (cached by source fingerprint, src/launcher/web-build.ts).
    await ensureWebBuild({ root: process.cwd(), distDir, env, write: log });

    Object.assign(this.services, controlPlaneServices(childSpecs({ root: process.cwd() }, env, null), { hubUrl: this.hubUrl, webUrl: this.webUrl }));
    await Promise.all(Object.values(this.services).map((s) => s.start()));
  }

  /** The current pid of a process (a new one after each restart), from /proc. */
  pid(name: "web" | "hub"): number | undefined {
    return platformPids(this.dir, { [name]: ENTRIES[name] })[name];
  }

  /** The part of the platform a process is (for CPU accounting, load-cpu.ts), or undefined when it is none of it. */
  roleOf(pid: number, cmdline: string, environ: string): string | undefined {
    if (environ.split("\0").includes(`DATA_DIR=${this.dir}`)) {
      if (cmdline.includes(ENTRIES.web)) return "web";
      if (cmdline.includes(ENTRIES.hub)) return "ws-hub";
      if (cmdline.includes("src/jobs-process/main.ts")) return "jobs (both)";
    }
    const postmaster = this.pg?.pid;
    if (postmaster && (pid === postmaster || parentPid(pid) === postmaster)) return "postgres";
    if (this.redis && cmdline.startsWith("/usr/bin/redis-server") && cmdline.includes(`:${this.redis.port}`)) return "redis";
    return undefined;
  }

  /** Crashes since start that nobody caused (the benchmark's own kill -9s are not counted). */
  unexpectedExits(): Record<LoadServiceName, number> {
    return Object.fromEntries(Object.entries(this.services).map(([name, s]) => [name, s.unexpectedExits])) as Record<LoadServiceName, number>;
  }

  output(): string {
    return Object.values(this.services)
      .map((s) => `--- ${s.spec.name}\n${s.output().slice(-3_000)}`)
      .join("\n");
  }

  /** In the launcher's order (src/launcher/platform.ts): web, then the hub, then jobs, then Postgres. */
  async stop(): Promise<void> {
    const s = this.services;
    await s.web?.stop();
    await s.hub?.stop();
    await Promise.all([s["jobs-1"]?.stop(), s["jobs-2"]?.stop()]);
    await this.pg?.stop().catch(() => undefined);
    await this.redis?.stop().catch(() => undefined);
    await this.smtp?.stop().catch(() => undefined);
    const leftBehind = killLeftovers(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
    if (leftBehind.length > 0) process.stderr.write(`the stopped platform left processes running (now killed): ${leftBehind.join(", ")}\n`);
  }
}
