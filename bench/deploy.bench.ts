/**
 * Deploy benchmark (`npm run bench:deploy`), issue 11: for the sample app (src/sample-repo) on this
 * machine in one run,
 *  - deploy time with containers vs processes (clone, build, start, health check: the job's time);
 *  - rollback time by reusing the kept image vs a fresh deploy of a new commit (goal ≤ 15 %), and
 *    where the rollback's time goes;
 *  - the agent's overhead per running container: RSS and CPU of a process doing the agent's
 *    per-container work (bench/support/runtime-host.ts: logs, stats, engine events, usage samples)
 *    with N containers vs 0.
 * The runtimes are the agent's own (src/agent/runtime/), on the engine the agent would use (a
 * Podman service of the bench's own when none answers). It prints figures; it never passes or fails.
 * BENCH_RUNS (3) runs per figure, BENCH_CONTAINERS (5) containers for the overhead, BENCH_WINDOW_S (30).
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import pino from "pino";
import type { AppRuntime, JobReporter, RuntimeEvents } from "../src/agent/runtime/app-runtime";
import { listAppContainers, removeContainer } from "../src/agent/runtime/container/app-container";
import { ensureBaseImage, LOCAL_BASE_IMAGE } from "../src/agent/runtime/container/base-image";
import { ContainerRuntime } from "../src/agent/runtime/container/container-runtime";
import type { Engine } from "../src/agent/runtime/container/engine";
import { describeAddress } from "../src/agent/runtime/container/engine-socket";
import { listAppImages, removeImage } from "../src/agent/runtime/container/images";
import { openEngine } from "../src/agent/runtime/container/open-engine";
import { ProcessRuntime } from "../src/agent/runtime/process/process-runtime";
import type { JobFrame, RollbackTarget } from "../src/protocol/job-payload";
import { commitSampleRelease, ensureSampleRepository } from "../src/sample-repo/ensure-sample-repository";
import { procUsage } from "./support/proc-usage";

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const CONTAINERS = Math.max(1, Number(process.env.BENCH_CONTAINERS ?? 5));
const WINDOW_MS = Math.max(5, Number(process.env.BENCH_WINDOW_S ?? 30)) * 1000;
const WORKER = `bench-deploy-${process.pid}`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
const row = (label: string, value: string, extra = "") => console.log(`  ${label.padEnd(46)} ${value.padStart(10)}   ${extra}`);
const progress = (line: string) => process.stderr.write(`  · ${line}\n`);

const events: RuntimeEvents = { appStatus: () => {}, violation: () => {}, log: () => {} };
const log = pino({ level: "silent" });
let nextJob = 1;

function deployJob(appId: number, deploymentId: number, repoUrl: string, commitSha = "", rollbackTarget?: RollbackTarget): JobFrame {
  return {
    job_id: nextJob++,
    type: "deploy",
    app_id: appId,
    app_uuid: `00000000-0000-4000-8000-${String(appId).padStart(12, "0")}`,
    app_name: `bench-${appId}`,
    deployment_id: deploymentId,
    payload: {
      repoUrl,
      branch: "main",
      commitSha,
      buildSettings: { kind: "auto", installCommand: "", buildCommand: "", startCommand: "", rootDirectory: "" },
      env: { GREETING: "Hello from the deploy bench" },
      internalPort: 8080,
      limits: { cpu: 1, memoryMb: 512, pids: 256, diskMb: 1024, bandwidthMbit: 0 },
      subdomain: `bench-${appId}`,
      domains: [],
      ...(rollbackTarget ? { rollbackTarget } : {}),
    },
  } as JobFrame;
}

const deleteJob = (appId: number): JobFrame => ({ job_id: nextJob++, type: "delete", app_id: appId, app_uuid: "x", app_name: `bench-${appId}`, deployment_id: null, payload: null }) as JobFrame;

/** Runs a job and returns its time; a failed job stops the bench with the job's log tail. */
async function timed(runtime: AppRuntime, job: JobFrame): Promise<Timed> {
  const lines: string[] = [];
  const marks: { percent: number; at: number }[] = [];
  const t0 = performance.now();
  const reporter: JobReporter = { progress: (percent) => marks.push({ percent, at: performance.now() - t0 }), buildLog: (l) => lines.push(l) };
  const outcome = await runtime.execute(job, reporter);
  const ms = performance.now() - t0;
  if (!outcome.ok) throw new Error(`${job.type} of app ${job.app_id} failed: ${outcome.error}\n${lines.slice(-20).join("\n")}`);
  return { ms, lines, marks, image: outcome.runtime?.image };
}

interface Timed {
  ms: number;
  lines: string[];
  /** The job's progress reports, as ms since the job began. */
  marks: { percent: number; at: number }[];
  image?: string;
}

/**
 * A reusing rollback's time split at the container runtime's progress reports
 * (src/agent/runtime/container/container-runtime.ts): 60 % image found, 75 % port chosen and
 * container being created, 85 % started and health-checked, 95 % healthy, then the result.
 */
function rollbackPhases(run: Timed): Record<string, number> {
  const at = (p: number) => run.marks.find((m) => m.percent === p)?.at ?? NaN;
  return {
    "image lookup": at(60),
    "port": at(75) - at(60),
    "create+start": at(85) - at(75),
    "until healthy": at(95) - at(85),
    "record and result": run.ms - at(95),
  };
}

/**
 * Waits until the app is idle: after a deploy's result the runtime retires the old container,
 * prunes images and follows the new one's logs behind the app's lock, and the next job on the app
 * would wait for that (a user's next job comes later than the bench's). Then only the serving
 * container is left, or the retirement failed.
 */
async function settled(runtime: ContainerRuntime, engine: Engine, appId: number): Promise<void> {
  await runtime.whenIdle(appId);
  const left = (await listAppContainers(engine, { workerName: WORKER, appId })).length;
  if (left > 1) throw new Error(`app ${appId} still has ${left} containers once idle: the replaced one was not removed`);
}

/** Starts the runtime host and resolves once it says how many apps it adopted. */
function startHost(dockerHost: string, stateDir: string): Promise<{ child: ChildProcess; adopted: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/support/runtime-host.ts", dockerHost, stateDir, WORKER, LOCAL_BASE_IMAGE], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`runtime host exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /^ready (\d+)$/.exec(line);
      if (m) resolve({ child, adopted: Number(m[1]) });
    });
  });
}

async function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

interface Usage {
  rssBytes: number;
  cpuPercent: number;
}

/** Mean RSS and CPU % (of one core) of each process over the window, after a settling period. */
async function measure(pids: number[]): Promise<Usage[]> {
  await new Promise((r) => setTimeout(r, 5_000));
  const start = pids.map((pid) => procUsage(pid));
  const t0 = performance.now();
  const rss: number[][] = pids.map(() => []);
  while (performance.now() - t0 < WINDOW_MS) {
    await new Promise((r) => setTimeout(r, 1_000));
    pids.forEach((pid, i) => rss[i]!.push(procUsage(pid).rssBytes));
  }
  const elapsed = performance.now() - t0;
  return pids.map((pid, i) => ({
    rssBytes: rss[i]!.reduce((a, b) => a + b, 0) / rss[i]!.length,
    cpuPercent: ((procUsage(pid).cpuSeconds - start[i]!.cpuSeconds) * 100_000) / elapsed,
  }));
}

const signed = (n: number, digits: number) => `${n >= 0 ? "+" : "−"}${Math.abs(n).toFixed(digits)}`;

function overheadRows(what: string, idle: Usage, busy: Usage, n: number): void {
  row(`${what}: RSS with 0 / ${n} containers`, mib(busy.rssBytes), `${mib(idle.rssBytes)} with 0; ${signed((busy.rssBytes - idle.rssBytes) / n / 1048576, 2)} MiB per container`);
  row(`${what}: CPU with 0 / ${n} containers`, `${busy.cpuPercent.toFixed(2)} %`, `${idle.cpuPercent.toFixed(2)} % with 0; ${signed((busy.cpuPercent - idle.cpuPercent) / n, 3)} % of one core per container`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "wh-bench-deploy-"));
  const session = await openEngine({ stateDir: join(dir, "engine"), onInfo: progress });
  const { engine } = session;
  const containerOptions = {
    engine,
    workerName: WORKER,
    baseImage: LOCAL_BASE_IMAGE,
    allowLocalRepos: true,
    startTimeoutMs: 120_000,
    crashBackoff: { initialMs: 1_000, maxMs: 30_000 },
    // Enough that no image a rollback below goes back to is pruned.
    keepImages: 50,
    // No proxy polls here: the replaced container goes at once, so each round starts from one.
    drainMs: 0,
    events,
    log,
    stateDir: join(dir, "container"),
  };
  try {
    const base = await ensureBaseImage({ engine, onLine: progress });
    const repoDir = join(dir, "sample-app");
    const repoUrl = await ensureSampleRepository(repoDir);
    const v1 = execFileSync("git", ["-C", repoDir, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();

    console.log(`deploy benchmark: the sample app, ${RUNS} run(s) per figure (median; all runs in brackets)`);
    console.log(`  ${cpus().length} cores, node ${process.version}, ${engine.describe()}${base.built ? ", base image built in this run" : ""}\n`);

    const processRuntime = new ProcessRuntime({ stateDir: join(dir, "process"), allowLocalRepos: true, buildTimeoutMs: 300_000, startTimeoutMs: 120_000, crashBackoff: { initialMs: 1_000, maxMs: 30_000 }, events, log });
    let containers = new ContainerRuntime(containerOptions);
    await processRuntime.init();
    await containers.init();

    // Deploys: a new app each run, as a first deploy is.
    const processMs: number[] = [];
    const containerMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      progress(`deploy run ${i + 1}/${RUNS}`);
      processMs.push((await timed(processRuntime, deployJob(100 + i, 1000 + i, repoUrl))).ms);
      await timed(processRuntime, deleteJob(100 + i));
      containerMs.push((await timed(containers, deployJob(200 + i, 2000 + i, repoUrl))).ms);
      await timed(containers, deleteJob(200 + i));
    }
    console.log("first deploy of the sample app (clone, build, start, health check)");
    row("process runtime", secs(median(processMs)), `[${processMs.map(secs).join(", ")}]`);
    row("container runtime", secs(median(containerMs)), `[${containerMs.map(secs).join(", ")}]  ${(median(containerMs) / median(processMs)).toFixed(1)}x the process runtime`);

    // Rollback: v1 deployed; then, each run, a new commit is pushed and deployed (a fresh deploy
    // as a user sees it: clone, build of the new commit, start, health check, with the layer cache
    // the worker has), and a rollback to v1 (a new deployment naming v1's deployment and image, as
    // the platform sends it: payload.rollbackTarget) starts v1's kept image again. For reference,
    // v1 built once more without its image (all its layers cached: the cheapest build there is).
    const app = 300;
    const first = await timed(containers, deployJob(app, 3000, repoUrl, v1));
    const target: RollbackTarget = { deploymentId: 3000, ...(first.image ? { imageTag: first.image } : {}) };
    let deployment = 3001;
    const freshMs: number[] = [];
    const reuseMs: number[] = [];
    const rebuildMs: number[] = [];
    const phases: Record<string, number>[] = [];
    for (let i = 0; i < RUNS; i++) {
      progress(`rollback run ${i + 1}/${RUNS}`);
      const { sha } = await commitSampleRelease(repoDir);
      freshMs.push((await timed(containers, deployJob(app, deployment++, repoUrl, sha))).ms);
      await settled(containers, engine, app);
      const reused = await timed(containers, deployJob(app, deployment++, repoUrl, v1, target));
      if (!reused.lines.some((l) => l.includes("reusing its image"))) throw new Error(`the rollback rebuilt instead of reusing:\n${reused.lines.join("\n")}`);
      reuseMs.push(reused.ms);
      phases.push(rollbackPhases(reused));
      await settled(containers, engine, app);
      rebuildMs.push((await timed(containers, deployJob(app, deployment++, repoUrl, v1))).ms);
      await settled(containers, engine, app);
    }
    await timed(containers, deleteJob(app));
    const ratio = median(reuseMs) / median(freshMs);
    console.log("\nrollback to an earlier commit vs a fresh deploy, container runtime (job time: from the job to its result, which moves traffic)");
    row("fresh deploy of a new commit", secs(median(freshMs)), `[${freshMs.map(secs).join(", ")}]  clone, build, start, health check`);
    row("rollback reusing the kept image", secs(median(reuseMs)), `[${reuseMs.map(secs).join(", ")}]  start, health check`);
    row("rollback / fresh deploy", `${(ratio * 100).toFixed(0)} %`, `goal ≤ 15 %: ${ratio <= 0.15 ? "met" : "not met"}`);
    row("(the same commit built again, layers cached)", secs(median(rebuildMs)), `[${rebuildMs.map(secs).join(", ")}]  rollback is ${((median(reuseMs) / median(rebuildMs)) * 100).toFixed(0)} % of it`);
    console.log("  where the rollback's time goes (median ms): " + Object.keys(phases[0]!).map((k) => `${k} ${median(phases.map((p) => p[k]!)).toFixed(0)}`).join(", "));
    console.log("  (the replaced container's SIGTERM, grace and removal come after the result, outside these times)");

    // Overhead: the agent's per-container work with 0, then N containers.
    const dockerHost = describeAddress(engine.address);
    await containers.shutdown(false);
    progress(`measuring the runtime host with 0 containers (${WINDOW_MS / 1000} s)`);
    // The engine's side too, when the bench runs a Podman service of its own: stats streams cost it CPU.
    const servicePid = session.service?.pid;
    const pidsOf = (hostPid: number) => (servicePid ? [hostPid, servicePid] : [hostPid]);
    let host = await startHost(dockerHost, containerOptions.stateDir);
    const idle = await measure(pidsOf(host.child.pid!));
    await stopHost(host.child);
    containers = new ContainerRuntime(containerOptions);
    await containers.init();
    for (let i = 0; i < CONTAINERS; i++) {
      progress(`starting container ${i + 1}/${CONTAINERS}`);
      await timed(containers, deployJob(400 + i, 4000 + i, repoUrl));
    }
    await containers.shutdown(false);
    progress(`measuring the runtime host with ${CONTAINERS} containers (${WINDOW_MS / 1000} s)`);
    host = await startHost(dockerHost, containerOptions.stateDir);
    const busy = await measure(pidsOf(host.child.pid!));
    await stopHost(host.child);
    const n = Math.max(1, host.adopted);
    console.log(`\nthe agent's per-container work (bench/support/runtime-host.ts), ${host.adopted} containers vs 0, mean over ${WINDOW_MS / 1000} s`);
    overheadRows("agent", idle[0]!, busy[0]!, n);
    if (servicePid) overheadRows("Podman service", idle[1]!, busy[1]!, n);

    containers = new ContainerRuntime(containerOptions);
    await containers.init();
    for (let i = 0; i < CONTAINERS; i++) await timed(containers, deleteJob(400 + i));
    await containers.shutdown(true);
    await processRuntime.shutdown(true);
  } finally {
    // Whatever a failed run left: everything labelled with this run's worker name.
    for (const c of await listAppContainers(engine, { workerName: WORKER }).catch(() => [])) await removeContainer(engine, c.id, { force: true }).catch(() => undefined);
    for (const image of await listAppImages(engine, { workerName: WORKER }).catch(() => [])) {
      for (const tag of image.RepoTags) await removeImage(engine, tag, true).catch(() => undefined);
    }
    await session.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
