import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { devSecretsForGaps } from "../server/config/dev-secrets";
import { parseEnv } from "../server/config/env";
import { runtimeFile } from "../server/config/config";
import { migrate } from "../server/db/migrator";
import { currentSetupToken } from "../server/auth/setup-token";
import { createDb } from "../server/db/client";
import { ensureSampleRepository } from "../sample-repo/ensure-sample-repository";
import { planDevIngress } from "../dev-ingress/launch";
import { planAgentRuntime, type AgentRuntimePlan } from "./agent-runtime";
import { buildChildEnv } from "./child-env";
import { startEmbeddedDatabase } from "./embedded-database";
import { isPortFree } from "../net/free-port";
import { acquireInstanceLock } from "./instance-lock";
import type { PostgresServer } from "./postgres-server";
import { Supervisor, type ChildSpec } from "./supervisor";
import { waitForHttp } from "./wait-for-http";
import { ensureWebBuild } from "./web-build";
import { plural } from "../lib/plural";

export interface PlatformOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  /** next dev + tsx watch instead of a production build. */
  dev?: boolean;
  /** Start the reference worker agent (default: when it exists). */
  agent?: boolean;
  write: (name: string, line: string) => void;
  /** Called when a child dies on its own; the caller usually stops everything. */
  onUnexpectedExit?: (name: string, code: number | null) => void;
}

export interface RunningPlatform {
  webUrl: string;
  hubUrl: string;
  databaseUrl: string;
  dataDir: string;
  /** file:// URL of the sample app repository (development). */
  sampleRepoUrl?: string;
  embeddedPostgres: boolean;
  /** How the local agent runs apps, and what its environment gained for it (null when no agent was started). */
  agentRuntime: Pick<AgentRuntimePlan, "kind" | "summary" | "agentEnv"> | null;
  /** The one-time token that makes the first administrator (null once the platform has one). */
  setupToken: string | null;
  env: NodeJS.ProcessEnv;
  supervisor: Supervisor;
  stop(): Promise<void>;
}

/**
 * Brings the whole platform up on this machine: lock, secrets, Postgres (embedded unless
 * DATABASE_URL), migrations, then ws-hub, jobs, web and the local agent. stop() takes it down in
 * order (docs/architecture.md, "Shutdown"): web stops taking requests, the agent and hub close their sockets, the
 * jobs process stops pg-boss, and Postgres goes last.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const note = (line: string) => options.write("launcher", line);
  const parsed = parseEnv(options.env);
  const dataDir = resolve(options.root, parsed.DATA_DIR);
  const releaseLock = acquireInstanceLock(join(dataDir, "launcher.lock"));
  let pg: PostgresServer | undefined;
  let agentRuntime: AgentRuntimePlan | undefined;
  try {
    for (const [name, port] of [["WEB_PORT", parsed.WEB_PORT], ["HUB_PORT", parsed.HUB_PORT]] as const) {
      if (!(await isPortFree(port, parsed.BIND_HOST))) {
        throw new Error(`${name} ${port} is already in use on ${parsed.BIND_HOST}; stop what holds it or set ${name} to a free port.`);
      }
    }
    const generatedSecrets = parsed.NODE_ENV === "production" ? {} : devSecretsForGaps(dataDir, options.env);
    let databaseUrl = parsed.DATABASE_URL;
    if (!databaseUrl) {
      const db = await startEmbeddedDatabase({
        dataDir,
        preferredPort: Number(options.env.EMBEDDED_PG_PORT ?? 5432),
        note,
      });
      pg = db.server;
      databaseUrl = db.url;
    }
    const migration = await migrate(databaseUrl, { log: note });
    note(
      migration.applied.length > 0
        ? `applied ${plural(migration.applied.length, "migration")}`
        : `database schema is up to date (${plural(migration.alreadyApplied, "migration")})`,
    );

    // A local git repository a newcomer can deploy in a minute (file:// needs local repos enabled).
    const localRepos = parsed.LOCAL_REPOS_ENABLED ?? parsed.NODE_ENV !== "production";
    const sampleRepoUrl = localRepos ? await ensureSampleRepository(join(dataDir, "sample-app")) : undefined;

    const webUrl = `http://localhost:${parsed.WEB_PORT}`;
    const hubUrl = `http://localhost:${parsed.HUB_PORT}`;
    const distDir = options.env.NEXT_DIST_DIR ?? ".next";
    const ingress = await planDevIngress(parsed, note);
    const childEnv = { ...buildChildEnv({ env: options.env, generatedSecrets, databaseUrl, dataDir, webUrl, hubPort: parsed.HUB_PORT, distDir, sampleRepoUrl }), ...ingress?.env };
    writeFileSync(runtimeFile(dataDir), JSON.stringify({ databaseUrl, launcherPid: process.pid, webUrl, hubUrl }, null, 2), {
      mode: 0o600,
    });
    const wantAgent = options.agent ?? existsSync(join(options.root, "src/agent/main.ts"));
    // Before the dashboard build: a first run builds the container base image, and an engine
    // problem should show before a minute of building.
    if (wantAgent) agentRuntime = await planAgentRuntime({ env: options.env, dataDir, note });
    if (!options.dev) {
      const result = await ensureWebBuild({ root: options.root, distDir, env: childEnv, write: note });
      if (result === "built") note("dashboard built");
    }

    const supervisor = new Supervisor(options.write, options.onUnexpectedExit ?? (() => undefined));
    if (ingress) supervisor.start(ingress.spec({ command: process.execPath, env: childEnv, cwd: options.root }));
    for (const spec of childSpecs(options, childEnv, wantAgent ? (agentRuntime?.agentEnv ?? {}) : null)) supervisor.start(spec);

    const stop = async () => {
      note("stopping: web and agent, then ws-hub, then jobs, then Postgres");
      await supervisor.stopInOrder([["web", "agent", "dev-ingress"], ["ws-hub"], ["jobs"]]);
      // The Podman service the launcher started goes last of the agent's parts: the agent stops its containers through it.
      await agentRuntime?.close().catch((err: Error) => note(`could not stop the container engine service: ${err.message}`));
      if (pg) await pg.stop();
      rmSync(runtimeFile(dataDir), { force: true });
      releaseLock();
      note("stopped");
    };
    try {
      await waitForHttp(`${hubUrl}/health`, 60_000);
      await waitForHttp(`${webUrl}/status`, options.dev ? 180_000 : 60_000);
    } catch (err) {
      await stop();
      throw err;
    }
    const setupToken = await readSetupToken(databaseUrl, childEnv.APP_SECRET, note);
    const runtime = agentRuntime ? { kind: agentRuntime.kind, summary: agentRuntime.summary, agentEnv: agentRuntime.agentEnv } : null;
    return { webUrl, hubUrl, databaseUrl, dataDir, sampleRepoUrl, embeddedPostgres: !!pg, agentRuntime: runtime, setupToken, env: childEnv, supervisor, stop };
  } catch (err) {
    await agentRuntime?.close().catch(() => undefined);
    if (pg) await pg.stop().catch(() => undefined);
    rmSync(runtimeFile(dataDir), { force: true });
    releaseLock();
    throw err;
  }
}

/** The setup token the web process also logs (src/server/auth/setup-token.ts), for the launcher's summary. */
async function readSetupToken(databaseUrl: string, appSecret: string | undefined, note: (line: string) => void): Promise<string | null> {
  if (!appSecret) return null;
  const db = createDb(databaseUrl, { max: 1 });
  try {
    return await currentSetupToken({ db, config: { APP_SECRET: appSecret } });
  } catch (err) {
    note(`could not read the setup token: ${(err as Error).message} (the web process logs it too)`);
    return null;
  } finally {
    await db.$disconnect();
  }
}

/**
 * The platform's processes as `npm start` runs them (the fault suite runs the same ones,
 * tests/faults/support/fault-platform.ts). `agentEnv` null: no agent; else what the runtime
 * choice adds to its environment (agent-runtime.ts).
 */
export function childSpecs(options: Pick<PlatformOptions, "root" | "dev">, env: NodeJS.ProcessEnv, agentEnv: Record<string, string> | null): ChildSpec[] {
  const node = process.execPath;
  const tsx = (entry: string) => (options.dev ? ["--import", "tsx", "--watch", entry] : ["--import", "tsx", entry]);
  const specs: ChildSpec[] = [
    { name: "ws-hub", command: node, args: tsx("src/ws-hub/main.ts"), env, cwd: options.root },
    // pg-boss lets running handlers finish (a webhook attempt may take its whole 15 s deadline); main.ts gives up after 30 s.
    { name: "jobs", command: node, args: tsx("src/jobs-process/main.ts"), env, cwd: options.root, stopTimeoutMs: 35_000 },
    {
      name: "web",
      command: node,
      args: ["--import", "tsx", "src/web/server.ts"],
      // Next wants NODE_ENV=production for a built app; the platform's own mode travels in WH_ENV.
      env: options.dev
        ? { ...env, NODE_ENV: "development", WH_WEB_DEV: "1" }
        : { ...env, NODE_ENV: "production", WH_ENV: env.WH_ENV || env.NODE_ENV || "development" },
      cwd: options.root,
    },
  ];
  if (agentEnv) {
    specs.push({
      name: "agent",
      command: node,
      args: tsx("src/agent/main.ts"),
      env: { ...env, ...agentEnv, AGENT_NAME: env.AGENT_NAME ?? "local-agent" },
      cwd: options.root,
      // Stopping its apps takes their grace period; src/agent/main.ts gives up after 20 s.
      stopTimeoutMs: 25_000,
    });
  }
  return specs;
}
