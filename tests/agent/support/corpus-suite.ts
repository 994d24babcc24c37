import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeployPayload } from "../../../src/protocol/job-payload";
import { PlanRegistry } from "../../../src/server/plans/plans";
import { corpusFixture, fixtureRepo, type FixtureName } from "./app-corpus";
import { payloadFor } from "./control-plane";
import { httpText } from "./runtime-harness";
import { machineTrust, WorkerPlatform, type RuntimeWorker, type WorkerRuntime } from "./worker-platform";

interface Deployed {
  job: { status: string; error: string | null };
  logs: string;
  port: number | null;
  error: string;
}

const free = new PlanRegistry().for("free");
/**
 * The build time limit of these deploys, under the free plan's 15 minutes. The fixtures install
 * from the public registry through the machine's proxy (and pnpm through corepack), and a download
 * that stalls there held a fresh-clone run's container pnpm deploy until the test gave up at the
 * plan's 900 s, with nothing to show: at this limit the agent fails such a build with its log
 * tail, printed below, and the case runs once more. The slowest fixture (create-next-app) builds
 * in under a minute here.
 */
const BUILD_TIMEOUT_S = 300;

/**
 * The corpus of real app shapes (app-corpus.ts, made by the real tools from published packages)
 * as one set of cases for both runtimes: each fixture is deployed through the real hub and a
 * real agent of `runtime` on the free plan's runtime and build limits, one after another (2
 * shared cores), and must answer HTTP; what each runtime says in the stored build log is checked
 * per runtime. tests/agent/real-apps/corpus.test.ts runs it on processes,
 * corpus-container.test.ts on Podman. Each deploy prints its time and its steps' peak memory.
 */
export function corpusSuite(runtime: WorkerRuntime, prepare: () => Promise<RuntimeWorker>): void {
  const container = runtime === "container";
  let platform: WorkerPlatform | undefined;
  const repos: Array<{ cleanup(): void }> = [];

  beforeAll(async () => {
    platform = new WorkerPlatform(await prepare());
    // The registry these machines reach serves metadata without npm's signatures (docs/worker-agent.md).
    await platform.start({ ...machineTrust(), AGENT_COREPACK_INTEGRITY_KEYS: "0" });
  }, 900_000);

  afterAll(async () => {
    await platform?.stop();
    for (const r of repos) r.cleanup();
  }, 180_000);

  /** Deploys a fixture on the free plan (runtime and build limits) and waits for the job's end. */
  async function deployFixture(name: FixtureName, overrides: Partial<DeployPayload> = {}): Promise<Deployed> {
    const repo = fixtureRepo(await corpusFixture(name));
    repos.push(repo);
    const { cp, tdb, workerId } = platform!.parts;
    const app = await cp.createApp(workerId);
    const payload = payloadFor(repo.url, {
      env: {},
      limits: { cpu: free.cpu, memoryMb: free.memoryMb, pids: free.pids, diskMb: free.diskMb, bandwidthMbit: free.bandwidthMbit },
      buildLimits: { cpu: free.buildCpu, memoryMb: free.buildMemoryMb, timeoutSeconds: Math.min(BUILD_TIMEOUT_S, free.buildTimeoutSeconds) },
      ...overrides,
    });
    const started = Date.now();
    const { jobId, deploymentId } = await cp.assignJob(app.id, workerId, "deploy", payload);
    const job = await cp.finishedJob(jobId, (BUILD_TIMEOUT_S + 180) * 1000);
    const deployment = await tdb.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    const stored = await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
    const logs = deployment.buildLogs ?? "";
    const peaks = logs.split("\n").filter((l) => l.includes("peak memory"));
    const built = container ? `; ${logs.split("\n").find((l) => /^Built \S+ \(\d+ MiB\) in \d+ s/.test(l)) ?? "no image"}` : "";
    process.stdout.write(`corpus (${runtime}) ${name}: ${job.status} in ${Math.round((Date.now() - started) / 1000)} s${built}; ${peaks.join(" ")}\n`);
    // Kept in the output even when a retry passes: where a failed build stopped.
    if (job.status !== "completed") process.stdout.write(`  ${job.error ?? deployment.error ?? ""}\n  ${logs.split("\n").slice(-15).join("\n  ")}\n`);
    return { job, logs, port: stored.port, error: job.error ?? deployment.error ?? "" };
  }

  function expectDeployed(result: Deployed) {
    expect(result.job.status, `${result.error}\n${result.logs.slice(-8000)}`).toBe("completed");
    expect(result.port).toBeTruthy();
    // The stored log is the whole streamed log from its first line, not the job result's tail
    // (src/server/jobs/complete-job.ts).
    expect(result.logs.split("\n")[0]).toMatch(container ? /^Build limits: memory 2048 MiB, 2 CPU, time \d+ s; the app then runs with 512 MiB/ : /^Build limits: memory 2048 MiB, CPU 2/);
    if (container) {
      expect(result.logs).toContain("generated Containerfile:");
      expect(result.logs).toMatch(/^step 1\/\d+ ?: FROM /im);
      expect(result.logs).toMatch(/^Built localhost\/wisehosting\/app-\d+:\d+ \(\d+ MiB\) in \d+ s$/m);
      // Every install or build step that ran says its peak memory, as the process runtime does.
      expect(result.logs).toMatch(/^\(step \d+\/\d+: peak memory \d+ MiB of 2048 MiB\)$/m);
    }
  }

  describe(`the corpus of real app shapes deploys on the ${runtime} runtime, on the free plan`, { timeout: (BUILD_TIMEOUT_S + 240) * 1000, retry: 1 }, () => {
    it("create-next-app (without next/font/google): npm ci and next build within the build limits, next start", async () => {
      const result = await deployFixture("next-app");
      expectDeployed(result);
      if (container) {
        expect(result.logs).toMatch(/RUN .*npm\W{1,8}ci\b/);
        // The package managers' caches live in the step's own folder, removed when it ends: not on /tmp.
        expect(result.logs).toContain("npm_config_cache=/opt/wisehosting/build-cache/npm");
      } else {
        expect(result.logs).toContain("install with npm (package-lock.json)");
        // next build needs more than the 512 MiB the app runs with: the build limit is what lets it through.
        expect(Number(/\(building: peak memory (\d+) MiB of 2048 MiB\)/.exec(result.logs)?.[1])).toBeGreaterThan(0);
      }
      expect(await httpText(result.port!)).toContain("To get started, edit the");
    });

    it("Vite + React: built into dist/ and served as a static site", async () => {
      const result = await deployFixture("vite-react");
      expectDeployed(result);
      expect(result.logs).toContain(container ? "/opt/wisehosting/static-server.mjs" : "detected a static site built by package.json");
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
      // In an image the workspace root is the build context and the app's folder its WORKDIR.
      expect(result.logs).toContain(container ? "WORKDIR /app/apps/api" : "install with npm (package-lock.json at the workspace root .)");
      expect(await httpText(result.port!)).toBe("hello from the monorepo, apps/api");
    });

    it("a pnpm project: installed with the pnpm its packageManager names, through corepack", async () => {
      const result = await deployFixture("pnpm-app");
      expectDeployed(result);
      expect(result.logs).toContain(container ? '"corepack","pnpm","install","--frozen-lockfile"' : "$ corepack pnpm install --frozen-lockfile");
      expect(await httpText(result.port!)).toBe("installed with pnpm");
    });

    it("an app whose engines.node the worker cannot satisfy fails before the build with what to change", async () => {
      const result = await deployFixture("old-engines");
      expect(result.job.status).toBe("failed");
      // Containers check against the base image's Node (its tag's major), processes against the agent's own.
      expect(result.error).toMatch(new RegExp(`package\\.json asks for Node "18\\.x" \\(engines\\.node\\), but this worker builds and runs apps with Node ${container ? "24\\.\\d+\\.\\d+" : process.versions.node.replaceAll(".", "\\.")}`));
    });
  });
}
