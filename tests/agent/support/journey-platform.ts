import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Actor } from "../../../src/server/auth/actor";
import { loadConfig } from "../../../src/server/config/config";
import { createServices, type Services } from "../../../src/server/runtime/services";
import { freePort } from "../../helpers/free-port";
import { teamActor } from "../../helpers/personal-team";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { startAgentProcess, type AgentProcess } from "./agent-process";
import { HUB_SECRETS, startHubProcess, type HubProcess } from "./hub-process";
import { startJobsProcess } from "./jobs-process";
import { eventually } from "./runtime-harness";

export type JourneyActor = Pick<Actor, "userId" | "team" | "email" | "plan" | "audit">;

/** A real hub, jobs process and agent on a fresh database, and the platform's services for one user. */
export interface JourneyPlatform {
  dir: string;
  tdb: TestDatabase;
  hub: HubProcess;
  jobs: ReturnType<typeof startJobsProcess>;
  agent: AgentProcess;
  services: Services;
  actor: JourneyActor;
  /** Stops the agent, jobs, hub and services, drops the database and removes `dir`. */
  stop(): Promise<void>;
}

/**
 * Starts the whole control plane with one agent named `agentName`, waits until its worker is
 * online, and signs up `email` on `plan` (tests/agent/platform-journey.test.ts,
 * cancel-journey.test.ts, tests/container/rollback-reuse.test.ts).
 */
export async function startJourneyPlatform(options: {
  agentName: string;
  email: string;
  plan: string;
  agentEnv?: Record<string, string>;
  onlineTimeoutMs?: number;
}): Promise<JourneyPlatform> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `wh-${options.agentName}-`));
  const tdb = await createTestDatabase();
  const hub = await startHubProcess(tdb.url, await freePort());
  const jobs = startJobsProcess(tdb.url);
  const agent = startAgentProcess({ hubUrl: hub.url, name: options.agentName, stateDir: path.join(dir, "agent"), env: options.agentEnv });
  await eventually(
    async () => (await tdb.db.worker.findUnique({ where: { name: options.agentName } }))?.status === "online",
    options.onlineTimeoutMs ?? 120_000,
    "worker online",
  );
  const config = loadConfig({ ...HUB_SECRETS, NODE_ENV: "test", DATABASE_URL: tdb.url, LOG_LEVEL: "silent", LOCAL_REPOS_ENABLED: "true", DATA_DIR: dir });
  const services = createServices(`${options.agentName}-test`, config);
  const user = await tdb.db.user.create({ data: { email: options.email } });
  const actor = { ...(await teamActor(tdb.db, user.id)), email: user.email, plan: options.plan, audit: {} };
  return {
    dir,
    tdb,
    hub,
    jobs,
    agent,
    services,
    actor,
    async stop() {
      await agent.stop();
      await jobs.stop();
      await hub.stop();
      await services.close();
      await tdb.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
