import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../src/net/free-port";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { startAgentProcess, type AgentProcess } from "../support/agent-process";
import { corpusFixture, fixtureRepo } from "../support/app-corpus";
import { ControlPlane, payloadFor } from "../support/control-plane";
import { startHubProcess, type HubProcess } from "../support/hub-process";
import { closedPort } from "../support/registry-stub";
import { eventually, tempStateDir } from "../support/runtime-harness";

/**
 * The operator's registry settings travel from the agent's flags and environment to its builds:
 * an agent pointed at a registry nobody serves fails a real app's deploy with the cause and the
 * setting to change, and logs what it resolved without its token.
 */
let tdb: TestDatabase;
let hub: HubProcess;
let agent: AgentProcess;
let cp: ControlPlane;
let workerId: number;
let registryPort: number;
const state = tempStateDir();
const NAME = `unreachable-${process.pid}`;
const TOKEN = "operator-registry-token-0123456789";

beforeAll(async () => {
  registryPort = await closedPort();
  tdb = await createTestDatabase();
  hub = await startHubProcess(tdb.url, await freePort());
  agent = startAgentProcess({
    hubUrl: hub.url,
    name: NAME,
    stateDir: path.join(state.dir, "agent"),
    env: { AGENT_NPM_REGISTRY: `http://127.0.0.1:${registryPort}/`, AGENT_NPM_TOKEN: TOKEN, AGENT_REGISTRY_RETRIES: "0" },
  });
  cp = new ControlPlane(tdb.db, tdb.url);
  workerId = await cp.workerId(NAME);
  await eventually(async () => (await tdb.db.worker.findUnique({ where: { id: workerId } }))?.status === "online", 60_000, "worker online");
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await hub?.stop();
  await cp?.close();
  await tdb?.drop();
  state.cleanup();
});

// Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("an agent whose registry cannot be reached", { timeout: 180_000 }, () => {
  it("logs the registry settings it resolved, and where from, without the token", async () => {
    const line = await eventually(() => agent.logs().find((l) => l.msg === "builds reach the package registry with these settings"), 30_000, "registry settings logged");
    expect(line).toMatchObject({ registry: { npmRegistry: `http://127.0.0.1:${registryPort}/`, npmToken: "set" }, from: { npmRegistry: "--npm-registry", npmToken: "--npm-token" } });
    expect(agent.output()).not.toContain(TOKEN);
  });

  it("fails a real app's deploy with the cause and the setting that fixes it", async () => {
    const repo = fixtureRepo(await corpusFixture("express-api"));
    try {
      const app = await cp.createApp(workerId);
      const { jobId, deploymentId } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(repo.url, { env: {} }));
      const job = await cp.finishedJob(jobId, 120_000);
      const deployment = await tdb.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
      expect(job.status).toBe("failed");
      expect(job.error).toContain(`Installing dependencies: \`npm ci --no-audit --no-fund\` could not use the package registry — connection refused: nothing accepts connections at 127.0.0.1:${registryPort}`);
      expect(job.error).toContain("--npm-registry URL (AGENT_NPM_REGISTRY");
      expect(deployment.buildLogs).toContain(`Package registry: registry http://127.0.0.1:${registryPort}/`);
      expect(deployment.buildLogs).not.toContain(TOKEN);
      expect(agent.output()).not.toContain(TOKEN);
    } finally {
      repo.cleanup();
    }
  });
});
