import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openContainerFixture } from "../../container/support/container-fixture";
import { corpusFixture, fixtureRepo } from "../support/app-corpus";
import { payloadFor } from "../support/control-plane";
import { closedPort, hostAddress } from "../support/registry-stub";
import { eventually, tempStateDir } from "../support/runtime-harness";
import { WorkerPlatform, type RuntimeWorker, type WorkerRuntime } from "../support/worker-platform";

/**
 * The operator's registry settings travel from the agent's flags and environment to its builds:
 * an agent pointed at a registry nobody serves fails a real app's deploy with the cause and the
 * setting to change, and logs what it resolved without its token, on both runtimes.
 */
const TOKEN = "operator-registry-token-0123456789";

function unreachableSuite(runtime: WorkerRuntime, host: () => string, prepare: () => Promise<RuntimeWorker>): void {
  let platform: WorkerPlatform | undefined;
  let registry: string;

  // Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
  describe(`an agent whose registry cannot be reached (${runtime} runtime)`, { timeout: 300_000 }, () => {
    beforeAll(async () => {
      registry = `http://${host()}:${await closedPort()}/`;
      platform = new WorkerPlatform(await prepare());
      await platform.start({ AGENT_NPM_REGISTRY: registry, AGENT_NPM_TOKEN: TOKEN, AGENT_REGISTRY_RETRIES: "0" });
    }, 600_000);

    afterAll(async () => {
      await platform?.stop();
    }, 120_000);

    it("logs the registry settings it resolved, and where from, without the token", async () => {
      const { agent } = platform!.parts;
      const line = await eventually(() => agent.logs().find((l) => l.msg === "builds reach the package registry with these settings"), 60_000, "registry settings logged");
      expect(line).toMatchObject({ registry: { npmRegistry: registry, npmToken: "set" }, from: { npmRegistry: "--npm-registry", npmToken: "--npm-token" } });
      expect(agent.output()).not.toContain(TOKEN);
    });

    it("fails a real app's deploy with the cause and the setting that fixes it", async () => {
      const { agent, cp, tdb, workerId } = platform!.parts;
      const repo = fixtureRepo(await corpusFixture("express-api"));
      try {
        const app = await cp.createApp(workerId);
        const { jobId, deploymentId } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(repo.url, { env: {} }));
        const job = await cp.finishedJob(jobId, 240_000);
        const deployment = await tdb.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
        expect(job.status).toBe("failed");
        expect(job.error).toContain(`Installing dependencies: \`npm ci --no-audit --no-fund\` could not use the package registry — connection refused: nothing accepts connections at ${new URL(registry).host}`);
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

// A build container's own loopback is not the host's: the registry's address is one the build's NAT reaches.
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
