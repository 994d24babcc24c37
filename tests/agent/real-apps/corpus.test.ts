import { mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../src/net/free-port";
import type { DeployPayload } from "../../../src/protocol/job-payload";
import { PlanRegistry } from "../../../src/server/plans/plans";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { startAgentProcess, type AgentProcess } from "../support/agent-process";
import { CORPUS_DOWNLOAD_CACHE, corpusFixture, fixtureRepo, type FixtureName } from "../support/app-corpus";
import { ControlPlane, payloadFor } from "../support/control-plane";
import { startHubProcess, type HubProcess } from "../support/hub-process";
import { eventually, httpText, tempStateDir } from "../support/runtime-harness";

/**
 * Real app shapes deployed through the real hub and the real agent, on the free plan's limits:
 * each fixture is made by the real tools from published packages (tests/agent/support/app-corpus.ts)
 * and must answer HTTP. Fixtures deploy one after another (2 shared cores); the agent's npm and
 * corepack caches persist across runs beside the fixture cache, so a rerun downloads nothing.
 */
let tdb: TestDatabase;
let hub: HubProcess;
let agent: AgentProcess;
let cp: ControlPlane;
let workerId: number;
const state = tempStateDir();
const NAME = `corpus-${process.pid}`;
const free = new PlanRegistry().for("free");
const repos: Array<{ cleanup(): void }> = [];

beforeAll(async () => {
  const stateDir = path.join(state.dir, "agent");
  mkdirSync(path.join(stateDir, "build-cache"), { recursive: true, mode: 0o700 });
  for (const [link, target] of [["npm-cache", "npm"], ["build-cache/corepack", "corepack"]] as const) {
    mkdirSync(path.join(CORPUS_DOWNLOAD_CACHE, target), { recursive: true });
    symlinkSync(path.join(CORPUS_DOWNLOAD_CACHE, target), path.join(stateDir, link));
  }
  tdb = await createTestDatabase();
  hub = await startHubProcess(tdb.url, await freePort());
  // The machine's own trust variables, as an operator's environment has them: no registry flags.
  const machineTrust = Object.fromEntries(["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  agent = startAgentProcess({
    hubUrl: hub.url,
    name: NAME,
    stateDir,
    env: {
      ...machineTrust,
      AGENT_START_TIMEOUT_SECONDS: "60",
      // The registry these machines reach serves metadata without npm's signatures (docs/worker-agent.md).
      AGENT_COREPACK_INTEGRITY_KEYS: "0",
    },
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
  for (const r of repos) r.cleanup();
  state.cleanup();
});

/** Deploys a fixture on the free plan (runtime and build limits) and waits for the job's end. */
async function deployFixture(name: FixtureName, overrides: Partial<DeployPayload> = {}) {
  const fixture = await corpusFixture(name);
  const repo = fixtureRepo(fixture);
  repos.push(repo);
  const app = await cp.createApp(workerId);
  const payload = payloadFor(repo.url, {
    env: {},
    limits: { cpu: free.cpu, memoryMb: free.memoryMb, pids: free.pids, diskMb: free.diskMb, bandwidthMbit: free.bandwidthMbit },
    buildLimits: { cpu: free.buildCpu, memoryMb: free.buildMemoryMb, timeoutSeconds: free.buildTimeoutSeconds },
    ...overrides,
  });
  const started = Date.now();
  const { jobId, deploymentId } = await cp.assignJob(app.id, workerId, "deploy", payload);
  const job = await cp.finishedJob(jobId, 600_000);
  const deployment = await tdb.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
  const stored = await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
  const logs = deployment.buildLogs ?? "";
  process.stdout.write(`corpus ${name}: ${job.status} in ${Math.round((Date.now() - started) / 1000)} s; ${logs.split("\n").filter((l) => l.includes("peak memory")).join(" ")}\n`);
  return { job, logs, port: stored.port, error: job.error ?? deployment.error ?? "" };
}

function expectDeployed(result: Awaited<ReturnType<typeof deployFixture>>) {
  expect(result.job.status, `${result.error}\n${result.logs.slice(-6000)}`).toBe("completed");
  expect(result.port).toBeTruthy();
}

// Real tools on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("a corpus of real app shapes deploys through the hub and the agent, on the free plan", { timeout: 600_000 }, () => {
  it("create-next-app (without next/font/google): npm ci, next build within the build limits, next start", async () => {
    const result = await deployFixture("next-app");
    expectDeployed(result);
    expect(result.logs).toMatch(/^Build limits: memory 2048 MiB, CPU 2/m);
    expect(result.logs).toContain("install with npm (package-lock.json)");
    // next build needs more than the 512 MiB the app runs with: the build limit is what lets it through.
    const peak = Number(/\(building: peak memory (\d+) MiB of 2048 MiB\)/.exec(result.logs)?.[1]);
    expect(peak).toBeGreaterThan(0);
    expect(await httpText(result.port!)).toContain("To get started, edit the");
  });

  it("Vite + React: built into dist/ and served as a static site", async () => {
    const result = await deployFixture("vite-react");
    expectDeployed(result);
    expect(result.logs).toContain("detected a static site built by package.json");
    const html = await httpText(result.port!);
    expect(html).toContain('<div id="root">');
    const script = /src="(\/assets\/index-[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeTruthy();
    expect(await httpText(result.port!, script!)).toContain("createRoot");
  });

  it("an Express API with its lockfile", async () => {
    const result = await deployFixture("express-api");
    expectDeployed(result);
    expect(JSON.parse(await httpText(result.port!, "/api/health"))).toEqual({ ok: true, app: "express-api" });
  });

  it("a monorepo whose app lives in apps/api (rootDirectory): installed once at the workspace root", async () => {
    const result = await deployFixture("monorepo", {
      buildSettings: { kind: "auto", installCommand: "", buildCommand: "", startCommand: "", rootDirectory: "apps/api" },
    });
    expectDeployed(result);
    expect(result.logs).toContain("install with npm (package-lock.json at the workspace root .)");
    expect(await httpText(result.port!)).toBe("hello from the monorepo, apps/api");
  });

  it("a pnpm project: installed with the pnpm its packageManager names, through corepack", async () => {
    const result = await deployFixture("pnpm-app");
    expectDeployed(result);
    expect(result.logs).toContain("$ corepack pnpm install --frozen-lockfile");
    expect(await httpText(result.port!)).toBe("installed with pnpm");
  });

  it("an app whose engines.node this worker cannot satisfy fails with what to change", async () => {
    const result = await deployFixture("old-engines");
    expect(result.job.status).toBe("failed");
    expect(result.error).toContain(`package.json asks for Node "18.x" (engines.node), but this worker builds and runs apps with Node ${process.versions.node}`);
  });
});
