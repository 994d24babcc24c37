import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../src/net/free-port";
import { openContainerFixture } from "../../container/support/container-fixture";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { startAgentProcess, type AgentProcess } from "../support/agent-process";
import { corpusFixture, fixtureRepo } from "../support/app-corpus";
import { ControlPlane, payloadFor } from "../support/control-plane";
import type { CorpusRuntime, CorpusWorker } from "../support/corpus-suite";
import { startHubProcess, type HubProcess } from "../support/hub-process";
import { closedPort } from "../support/registry-stub";
import { eventually, tempStateDir } from "../support/runtime-harness";

/**
 * The operator's registry settings travel from the agent's flags and environment to its builds:
 * an agent pointed at a registry nobody serves fails a real app's deploy with the cause and the
 * setting to change, and logs what it resolved without its token, on both runtimes.
 */
const TOKEN = "operator-registry-token-0123456789";

/** An address of this machine a build container reaches through the engine's NAT (its own loopback is not the host's). */
function hostAddress(): string {
  const found = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal);
  if (!found) throw new Error("this machine has no non-loopback IPv4 address for a build container to reach");
  return found.address;
}

function unreachableSuite(runtime: CorpusRuntime, host: () => string, prepare: () => Promise<CorpusWorker>): void {
  let tdb: TestDatabase;
  let hub: HubProcess;
  let agent: AgentProcess;
  let cp: ControlPlane;
  let worker: CorpusWorker;
  let workerId: number;
  let registry: string;

  // Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
  describe(`an agent whose registry cannot be reached (${runtime} runtime)`, { timeout: 300_000 }, () => {
    beforeAll(async () => {
      registry = `http://${host()}:${await closedPort()}/`;
      worker = await prepare();
      tdb = await createTestDatabase();
      hub = await startHubProcess(tdb.url, await freePort());
      agent = startAgentProcess({
        hubUrl: hub.url,
        name: worker.name,
        stateDir: worker.stateDir,
        env: { ...worker.env, AGENT_NPM_REGISTRY: registry, AGENT_NPM_TOKEN: TOKEN, AGENT_REGISTRY_RETRIES: "0" },
      });
      cp = new ControlPlane(tdb.db, tdb.url);
      workerId = await cp.workerId(worker.name);
      await eventually(async () => (await tdb.db.worker.findUnique({ where: { id: workerId } }))?.status === "online", 120_000, "worker online");
    }, 600_000);

    afterAll(async () => {
      await agent?.stop();
      await hub?.stop();
      await cp?.close();
      await tdb?.drop();
      await worker?.cleanup();
    }, 120_000);

    it("logs the registry settings it resolved, and where from, without the token", async () => {
      const line = await eventually(() => agent.logs().find((l) => l.msg === "builds reach the package registry with these settings"), 60_000, "registry settings logged");
      expect(line).toMatchObject({ registry: { npmRegistry: registry, npmToken: "set" }, from: { npmRegistry: "--npm-registry", npmToken: "--npm-token" } });
      expect(agent.output()).not.toContain(TOKEN);
    });

    it("fails a real app's deploy with the cause and the setting that fixes it", async () => {
      const repo = fixtureRepo(await corpusFixture("express-api"));
      try {
        const app = await cp.createApp(workerId);
        const { jobId, deploymentId } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(repo.url, { env: {} }));
        const job = await cp.finishedJob(jobId, 240_000);
        const deployment = await tdb.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
        const address = new URL(registry).host;
        expect(job.status).toBe("failed");
        expect(job.error).toContain(`Installing dependencies: \`npm ci --no-audit --no-fund\` could not use the package registry — connection refused: nothing accepts connections at ${address}`);
        expect(job.error).toContain("--npm-registry URL (AGENT_NPM_REGISTRY");
        expect(deployment.buildLogs).toContain(`Package registry: registry ${registry}`);
        expect(deployment.buildLogs).not.toContain(TOKEN);
        expect(agent.output()).not.toContain(TOKEN);
      } finally {
        repo.cleanup();
      }
    });
  });
}

unreachableSuite("process", () => "127.0.0.1", async () => {
  const state = tempStateDir();
  return { name: `unreachable-${process.pid}`, stateDir: path.join(state.dir, "agent"), env: {}, cleanup: async () => state.cleanup() };
});

unreachableSuite("container", hostAddress, async () => {
  const fixture = await openContainerFixture("unreachable");
  const address = fixture.engine.address;
  if (address.kind !== "unix") {
    await fixture.cleanup();
    throw new Error(`the test expects a unix engine socket, not ${fixture.engine.describe()}`);
  }
  const stateDir = path.join(fixture.stateDir, "agent");
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  return { name: fixture.workerName, stateDir, env: { AGENT_RUNTIME: "container", DOCKER_HOST: `unix://${address.socketPath}` }, cleanup: () => fixture.cleanup() };
});
