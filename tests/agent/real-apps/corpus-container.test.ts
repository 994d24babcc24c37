import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../src/net/free-port";
import type { DeployPayload } from "../../../src/protocol/job-payload";
import { PlanRegistry } from "../../../src/server/plans/plans";
import { openContainerFixture, type ContainerFixture } from "../../container/support/container-fixture";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { startAgentProcess, type AgentProcess } from "../support/agent-process";
import { corpusFixture, fixtureRepo, type FixtureName } from "../support/app-corpus";
import { ControlPlane, payloadFor } from "../support/control-plane";
import { startHubProcess, type HubProcess } from "../support/hub-process";
import { eventually, httpText } from "../support/runtime-harness";

/**
 * The corpus of real app shapes (tests/agent/support/app-corpus.ts, the same fixtures as
 * corpus.test.ts) deployed through the real hub and a real agent running the CONTAINER runtime:
 * each is built into an image by a generated Containerfile on Podman, within the free plan's build
 * limits, started in a container with the plan's runtime limits and must pass its health check and
 * answer. Heavy (image builds on 2 shared cores): run it alone under the machine's lock
 * (`flock /tmp/wh-heavy.lock npx vitest run tests/agent/real-apps/corpus-container.test.ts`).
 * Each deploy prints its time and its steps' peak memory.
 */
let fixture: ContainerFixture;
let tdb: TestDatabase;
let hub: HubProcess;
let agent: AgentProcess;
let cp: ControlPlane;
let workerId: number;
const free = new PlanRegistry().for("free");
const repos: Array<{ cleanup(): void }> = [];

beforeAll(async () => {
  fixture = await openContainerFixture("corpus");
  const address = fixture.engine.address;
  if (address.kind !== "unix") throw new Error(`the corpus test expects a unix engine socket, not ${fixture.engine.describe()}`);
  tdb = await createTestDatabase();
  hub = await startHubProcess(tdb.url, await freePort());
  const stateDir = path.join(fixture.stateDir, "agent");
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const machineTrust = Object.fromEntries(["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  agent = startAgentProcess({
    hubUrl: hub.url,
    // The fixture's worker name labels the images and containers, so cleanup removes exactly these.
    name: fixture.workerName,
    stateDir,
    env: {
      ...machineTrust,
      AGENT_RUNTIME: "container",
      DOCKER_HOST: `unix://${address.socketPath}`,
      AGENT_START_TIMEOUT_SECONDS: "90",
      AGENT_COREPACK_INTEGRITY_KEYS: "0",
    },
  });
  cp = new ControlPlane(tdb.db, tdb.url);
  workerId = await cp.workerId(fixture.workerName);
  await eventually(async () => (await tdb.db.worker.findUnique({ where: { id: workerId } }))?.status === "online", 120_000, "worker online");
}, 900_000);

afterAll(async () => {
  await agent?.stop();
  await hub?.stop();
  await cp?.close();
  await tdb?.drop();
  for (const r of repos) r.cleanup();
  await fixture?.cleanup();
}, 180_000);

/** Deploys a fixture on the free plan (runtime and build limits) and waits for the job's end. */
async function deployFixture(name: FixtureName, overrides: Partial<DeployPayload> = {}) {
  const source = await corpusFixture(name);
  const repo = fixtureRepo(source);
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
  const job = await cp.finishedJob(jobId, 900_000);
  const deployment = await tdb.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
  const stored = await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
  const logs = deployment.buildLogs ?? "";
  const peaks = logs.split("\n").filter((l) => l.includes("peak memory"));
  const built = logs.split("\n").find((l) => /^Built \S+ \(\d+ MiB\) in \d+ s/.test(l)) ?? "no image";
  process.stdout.write(`corpus (containers) ${name}: ${job.status} in ${Math.round((Date.now() - started) / 1000)} s; ${built}; ${peaks.join(" ")}\n`);
  return { job, logs, port: stored.port, error: job.error ?? deployment.error ?? "", image: /^Built (\S+) \(/m.exec(logs)?.[1] ?? null };
}

/** The image's history as the engine tells it: every RUN line of the generated Containerfile. */
async function historyOf(image: string | null): Promise<string> {
  if (!image) throw new Error("the deploy built no image");
  return JSON.stringify(await fixture.engine.docker.getImage(image).history());
}

function expectDeployed(result: Awaited<ReturnType<typeof deployFixture>>) {
  expect(result.job.status, `${result.error}\n${result.logs.slice(-8000)}`).toBe("completed");
  expect(result.port).toBeTruthy();
  expect(result.logs).toMatch(/^Built localhost\/wisehosting\/app-\d+:\d+ \(\d+ MiB\) in \d+ s$/m);
  // Every install or build step that ran says its peak memory, as the process runtime does.
  expect(result.logs).toMatch(/^\(step \d+\/\d+: peak memory \d+ MiB of 2048 MiB\)$/m);
}

describe("the corpus of real app shapes deploys on the container runtime, on the free plan", { timeout: 900_000 }, () => {
  it("create-next-app (without next/font/google): npm ci and next build in the image within the build limits, next start in the container", async () => {
    const result = await deployFixture("next-app");
    expectDeployed(result);
    const history = await historyOf(result.image);
    expect(history).toMatch(/npm\W{1,8}ci\b/);
    // The package managers' caches live in the step's own folder, removed when it ends: not on /tmp.
    expect(history).toContain("npm_config_cache=/opt/wisehosting/build-cache/npm");
    expect(await httpText(result.port!)).toContain("To get started, edit the");
  });

  it("Vite + React: built into dist/ in the image and served as a static site", async () => {
    const result = await deployFixture("vite-react");
    expectDeployed(result);
    expect(await historyOf(result.image)).toContain("/opt/wisehosting/static-server.mjs");
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

  it("a monorepo whose app lives in apps/api (rootDirectory): the workspace root is the context, installed once", async () => {
    const result = await deployFixture("monorepo", {
      buildSettings: { kind: "auto", installCommand: "", buildCommand: "", startCommand: "", rootDirectory: "apps/api" },
    });
    expectDeployed(result);
    expect(result.logs).toContain("WORKDIR /app/apps/api");
    expect(await httpText(result.port!)).toBe("hello from the monorepo, apps/api");
  });

  it("a pnpm project: installed with the pnpm its packageManager names, through corepack in the image", async () => {
    const result = await deployFixture("pnpm-app");
    expectDeployed(result);
    expect(result.logs).toContain('"corepack","pnpm","install","--frozen-lockfile"');
    expect(await httpText(result.port!)).toBe("installed with pnpm");
  });

  it("an app whose engines.node the base image cannot satisfy fails before the build with what to change", async () => {
    const result = await deployFixture("old-engines");
    expect(result.job.status).toBe("failed");
    expect(result.error).toMatch(/package\.json asks for Node "18\.x" \(engines\.node\), but this worker builds and runs apps with Node 24\.\d+\.\d+/);
  });
});
