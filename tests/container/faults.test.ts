import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAppContainers } from "../../src/agent/runtime/container/app-container";
import { listNetworkHolders } from "../../src/agent/runtime/container/network-holder";
import { workerBuildTag } from "../../src/agent/runtime/container/build-cancel";
import { ContainerRuntime, type ContainerRuntimeOptions } from "../../src/agent/runtime/container/container-runtime";
import type { Engine } from "../../src/agent/runtime/container/engine";
import { describeAddress } from "../../src/agent/runtime/container/engine-socket";
import { listAppImages } from "../../src/agent/runtime/container/images";
import { startPodmanService, type PodmanService } from "../../src/agent/runtime/container/podman-service";
import { recoverStuckJobs } from "../../src/server/jobs/recover-stuck-jobs";
import { startAgentProcess, type AgentProcess } from "../agent/support/agent-process";
import { ControlPlane, payloadFor } from "../agent/support/control-plane";
import { createGitRepo, helloServer, memoryHogServer, nodeApp } from "../agent/support/git-fixture";
import { startHubProcess, type HubProcess } from "../agent/support/hub-process";
import { controlJob, deployJob, quietReporter, recordEvents, type RecordedEvents } from "../agent/support/runtime-harness";
import { freePort } from "../helpers/free-port";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { eventually, httpGet, openContainerFixture, removeWorkerObjects, type ContainerFixture } from "./support/container-fixture";

/**
 * Faults of the container runtime on real Podman (issue 11, "Bad input and faults"): the agent
 * killed mid-deploy and mid-build, the engine stopped mid-build, an app OOM-killed after it started,
 * an image whose process exits at once on every start after its first
 * (src/agent/runtime/container/container-runtime.ts). The disk limit is tests/container/disk-limit.test.ts.
 */
let fx: ContainerFixture;
const dir = mkdtempSync(path.join(os.tmpdir(), "wh-ct-faults-"));

beforeAll(async () => {
  fx = await openContainerFixture("faults");
}, 600_000);

afterAll(async () => {
  await fx?.cleanup();
  rmSync(dir, { recursive: true, force: true });
}, 180_000);

function makeRuntime(engine: Engine, events: RecordedEvents, overrides: Partial<ContainerRuntimeOptions> = {}): ContainerRuntime {
  return new ContainerRuntime({
    engine,
    workerName: fx.workerName,
    stateDir: mkdtempSync(path.join(dir, "runtime-")),
    baseImage: fx.baseImage,
    allowLocalRepos: true,
    buildTimeoutMs: 300_000,
    startTimeoutMs: 60_000,
    crashBackoff: { initialMs: 500, maxMs: 4_000 },
    stopGraceSeconds: 2,
    events,
    log: pino({ level: "silent" }),
    ...overrides,
  });
}

const containersOf = (appId: number, workerName = fx.workerName) => listAppContainers(fx.engine, { workerName, appId });

describe("the agent killed mid-deploy (hub and agent as processes)", { timeout: 900_000 }, () => {
  let tdb: TestDatabase;
  let hub: HubProcess;
  let cp: ControlPlane;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase();
    hub = await startHubProcess(tdb.url, await freePort());
    cp = new ControlPlane(tdb.db, tdb.url);
  }, 300_000);

  afterAll(async () => {
    for (const a of agents) await a.stop();
    // The agent's own objects carry its name as the worker label.
    if (fx) for (const name of [agentName(), builderName()]) await removeWorkerObjects(fx.engine, name);
    await cp?.close();
    await hub?.stop();
    await tdb?.drop();
  }, 180_000);

  const agentName = () => `${fx.workerName}-agent`;
  const builderName = () => `${fx.workerName}-builder`;
  const startAgent = (stateDir: string, name = agentName()) => {
    const agent = startAgentProcess({
      hubUrl: hub.url,
      name,
      stateDir,
      env: { AGENT_RUNTIME: "container", DOCKER_HOST: describeAddress(fx.engine.address), AGENT_START_TIMEOUT_SECONDS: "300" },
    });
    agents.push(agent);
    return agent;
  };

  it("the next start removes the candidate container it left, runs nothing twice, and the job ends once", async () => {
    const stateDir = path.join(dir, "agent");
    const first = startAgent(stateDir);
    const workerId = await cp.workerId(agentName());
    await eventually(() => first.logs().some((l) => l.msg === "hub welcomed this worker"), 120_000, "agent connected");

    // Built quickly, then slow to answer: the agent is killed while the new container waits for its health check.
    const slow = createGitRepo(nodeApp(`console.log("warming up"); setTimeout(() => require("node:http").createServer((q, s) => s.end("late")).listen(Number(process.env.PORT)), 600000);`));
    const app = await cp.createApp(workerId);
    const { jobId } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(slow.url, { healthCheck: { path: "/", timeoutSeconds: 300 } }));
    const candidate = await eventually(async () => (await containersOf(app.id, agentName())).find((c) => c.state === "running"), 300_000, "the candidate container running");
    await first.kill();
    // The engine keeps it while the agent is gone.
    expect((await containersOf(app.id, agentName())).map((c) => c.id)).toEqual([candidate.id]);

    const second = startAgent(stateDir);
    await eventually(() => second.logs().some((l) => l.msg === "hub welcomed this worker"), 120_000, "agent back");
    await eventually(async () => (await containersOf(app.id, agentName())).length === 0, 60_000, "the orphaned candidate removed");
    expect(second.logs().some((l) => l.msg === "removed what an interrupted deploy of the previous run left" && l.containers === 1 && l.networkHolders === 1)).toBe(true);
    // The network holder the candidate had joined went with it (src/agent/runtime/container/network-holder.ts).
    expect(await listNetworkHolders(fx.engine, agentName())).toEqual([]);
    expect(existsSync(path.join(stateDir, "container-builds"))).toBe(false);
    // Not started again by the new run (it never got the job back: the job was already processing).
    expect(second.logs().filter((l) => l.msg === "job started" && l.jobId === jobId)).toEqual([]);
    // The job ends once: the restarted agent reports it interrupted (src/agent/jobs/job-runner.ts,
    // failInterrupted), else the jobs process's stuck-job recovery ends it after its window (played as 0 here).
    const backAt = Date.now();
    const ended = await eventually(async () => {
      const job = await tdb.db.job.findUniqueOrThrow({ where: { id: jobId } });
      if (job.status === "processing" && Date.now() - backAt > 20_000) await recoverStuckJobs(tdb.db, { stuckAfterMinutes: 0 });
      return job.status === "failed" ? job : null;
    }, 60_000, "the interrupted job ended", 500);
    expect((await recoverStuckJobs(tdb.db, { stuckAfterMinutes: 0 })).failedJobIds).toEqual([]);
    expect(await tdb.db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ status: "failed", completedAt: ended.completedAt });

    // The user's retry deploys, and the app has exactly one container.
    const { jobId: retry } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(createGitRepo(nodeApp(helloServer)).url));
    const done = await cp.finishedJob(retry, 300_000);
    expect(done.status, done.error ?? "").toBe("completed");
    const stored = await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
    expect((await httpGet(stored.port!)).body).toBe("hello nobody");
    expect(await containersOf(app.id, agentName())).toHaveLength(1);
  });
  it("killed mid-build: the next start stops the build it left in the engine (no step runs on, no image, no container), and builds again", async () => {
    const name = builderName();
    const stateDir = path.join(dir, "builder");
    const first = startAgent(stateDir, name);
    const workerId = await cp.workerId(name);
    await eventually(() => first.logs().some((l) => l.msg === "hub welcomed this worker"), 120_000, "agent connected");

    // A build step that never ends by itself, with a mark to find its process on the host by.
    const mark = `orphan-build-step-${process.pid}-${Date.now()}`;
    const endless = createGitRepo(nodeApp(helloServer, { build: `node -e "console.log('${mark}'); setInterval(() => {}, 1000)"` }));
    const app = await cp.createApp(workerId);
    const externalBefore = await buildContainers();
    const { jobId } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(endless.url));
    await eventually(() => processesWith(mark).length > 0, 300_000, "the build step running");
    await first.kill();
    // The engine goes on building without its client: the step still runs.
    expect(processesWith(mark).length).toBeGreaterThan(0);

    const second = startAgent(stateDir, name);
    await eventually(() => second.logs().some((l) => l.msg === "stopped the image builds the previous run left" && l.builds === 1), 120_000, "the sweep's log line");
    await eventually(() => processesWith(mark).length === 0, 60_000, "the build step stopped");
    // Watched until quiet, then its cgroup directories removed: nothing of the build is left running.
    await eventually(() => !existsSync("/sys/fs/cgroup/pids") || buildCgroupDirs(name).length === 0, 180_000, "the build's cgroup removed", 1_000);
    expect(processesWith(mark)).toEqual([]);
    // The engine ended the failed build and removed its working container; the build never got to
    // tag its image. (The layers it committed before the killed step stay as build cache, labelled
    // for the app, as after any failed build; deleting the app removes them.)
    await eventually(async () => [...(await buildContainers())].every((c) => externalBefore.has(c)), 60_000, "no build working container left");
    expect((await listAppImages(fx.engine, { workerName: name, appId: app.id })).flatMap((i) => i.RepoTags)).toEqual([]);
    expect(await containersOf(app.id, name)).toEqual([]);
    // The interrupted job ends (as above), and a new build of this worker is not fenced.
    await eventually(async () => {
      const job = await tdb.db.job.findUniqueOrThrow({ where: { id: jobId } });
      if (job.status === "processing") await recoverStuckJobs(tdb.db, { stuckAfterMinutes: 0 });
      return job.status === "failed";
    }, 60_000, "the interrupted job ended", 1_000);
    const { jobId: retry } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(createGitRepo(nodeApp(helloServer, { build: `node -e "console.log('built again')"` })).url));
    const done = await cp.finishedJob(retry, 300_000);
    expect(done.status, done.error ?? "").toBe("completed");
    const stored = await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
    expect((await httpGet(stored.port!)).body).toBe("hello nobody");
  });
});

/** Host processes whose command line holds `mark` (a build step's, seen from the host). */
function processesWith(mark: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(mark)) pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

/** The worker's build cgroup directories in the pids hierarchy (src/agent/runtime/container/build-cancel.ts names them). */
function buildCgroupDirs(workerName: string): string[] {
  const tag = workerBuildTag(workerName);
  return readdirSync("/sys/fs/cgroup/pids").filter((n) => n.includes(`build-${tag}-`) || n.includes(`build_${tag}_`));
}

/** Build working containers in the engine's store (`podman ps --external`; the Engine API does not list them). */
async function buildContainers(): Promise<Set<string>> {
  const out = execFileSync("podman", ["ps", "--all", "--external", "--format", "{{.ID}} {{.Status}}"], { encoding: "utf8" });
  return new Set(out.split("\n").filter((l) => / Storage$/.test(l.trim())).map((l) => l.split(" ")[0]!));
}

describe("the engine stopped mid-build", { timeout: 900_000 }, () => {
  let service: PodmanService | null = null;
  const serviceDir = () => path.join(dir, "own-engine");

  afterAll(async () => {
    await service?.stop();
  }, 60_000);

  it("fails the deploy naming the engine, without hanging; once the engine is back, deploys work again", async () => {
    service = await startPodmanService({ stateDir: serviceDir() });
    const events = recordEvents();
    const runtime = makeRuntime(service.engine, events);
    await runtime.init();
    try {
      const repo = createGitRepo(nodeApp(helloServer, { build: `node -e "console.log('build step running'); setTimeout(() => {}, 120000)"` }));
      const r = quietReporter();
      const started = Date.now();
      const pending = runtime.execute(deployJob(9101, repo.url), r.reporter);
      await eventually(() => r.lines.some((l) => l.includes("build step running")), 240_000, "the build step running");
      await service.stop();
      service = null;
      const out = await pending;
      expect(out.ok).toBe(false);
      if (out.ok) return;
      expect(out.error).toMatch(/the container engine \(Podman [\d.]+.*\) stopped answering during the build/);
      // Well before the step's own 120 s: the failure came from the engine going away.
      expect(Date.now() - started).toBeLessThan(240_000);
      expect(out.logs).toContain("build step running");

      service = await startPodmanService({ stateDir: serviceDir() });
      const ok = createGitRepo(nodeApp(helloServer));
      const r2 = quietReporter();
      const again = await runtime.execute(deployJob(9102, ok.url), r2.reporter);
      expect(again, r2.lines.join("\n")).toMatchObject({ ok: true });
      if (!again.ok) return;
      expect((await httpGet(again.port!)).body).toBe("hello nobody");
    } finally {
      await runtime.shutdown(true);
    }
  });
});

describe("an app OOM-killed after it started", { timeout: 600_000 }, () => {
  it("is reported as a violation naming the plan's memory limit, counted as a crash and restarted with backoff", async () => {
    const events = recordEvents();
    const runtime = makeRuntime(fx.engine, events);
    await runtime.init();
    try {
      const repo = createGitRepo(nodeApp(memoryHogServer));
      const r = quietReporter();
      const out = await runtime.execute(deployJob(9201, repo.url, { limits: { cpu: 1, memoryMb: 128, pids: 256, diskMb: 512, bandwidthMbit: 0 } }), r.reporter);
      expect(out, r.lines.join("\n")).toMatchObject({ ok: true });
      if (!out.ok) return;
      const port = out.port!;
      expect((await httpGet(port)).body).toBe("ok");
      // 300 MiB into a 128 MiB container: the kernel kills it mid-request.
      await fetch(`http://127.0.0.1:${port}/grow`, { signal: AbortSignal.timeout(30_000) }).catch(() => undefined);

      const violation = await eventually(() => events.violations.find((v) => v.appId === 9201), 60_000, "the violation");
      expect(violation.reason).toMatch(/^out of memory: the app went over the plan's memory limit of 128 MiB and was killed; restarting in 0\.5 s$/);
      const crashed = await eventually(() => events.statuses.find((s) => s.appId === 9201 && s.status === "crashed"), 30_000, "the crash");
      expect(crashed.reason).toMatch(/out of memory: .*memory limit of 128 MiB.*restarting in 0\.5 s/);
      // Restarted per the crash policy, on the same port, and it answers again.
      await eventually(() => events.statuses.some((s) => s.appId === 9201 && s.status === "running" && s.at > crashed.at), 60_000, "running again");
      expect((await eventually(() => httpGet(port), 60_000, "the app answering again")).body).toBe("ok");
      expect(runtime.appStates()).toContainEqual({ appId: 9201, status: "running" });

      // A second OOM kill soon after counts as the next crash: the backoff doubles.
      await fetch(`http://127.0.0.1:${port}/grow`, { signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
      const second = await eventually(() => events.violations.filter((v) => v.appId === 9201)[1], 60_000, "the second violation");
      expect(second.reason).toMatch(/restarting in 1 s$/);
    } finally {
      await runtime.shutdown(true);
    }
  });
});

describe("an image whose process exits at once", { timeout: 600_000 }, () => {
  it("is restarted with growing backoff up to its cap, reported crashed each time, until a stop ends the loop", async () => {
    const events = recordEvents();
    const runtime = makeRuntime(fx.engine, events, { crashBackoff: { initialMs: 300, maxMs: 2_000 } });
    await runtime.init();
    try {
      // Serves on its first start (so the deploy passes its health check) until /crash; every
      // later start of the same container finds the mark in its writable layer and exits at once.
      const server = `const fs = require("node:fs");
if (fs.existsSync("/srv/data/started")) { console.error("boom: exiting at once"); process.exit(1); }
fs.writeFileSync("/srv/data/started", "1");
require("node:http").createServer((q, s) => { s.end("first start"); if (q.url === "/crash") setImmediate(() => process.exit(1)); }).listen(Number(process.env.PORT));`;
      const repo = createGitRepo({
        Dockerfile: `FROM ${fx.baseImage}\nWORKDIR /srv\nRUN mkdir /srv/data && chown 10001:10001 /srv/data\nCOPY server.js .\nCMD ["node", "server.js"]\n`,
        "server.js": server,
      });
      const r = quietReporter();
      const out = await runtime.execute(deployJob(9501, repo.url), r.reporter);
      expect(out, r.lines.join("\n")).toMatchObject({ ok: true });
      if (!out.ok) return;
      const [container] = await containersOf(9501);
      await fetch(`http://127.0.0.1:${out.port!}/crash`, { signal: AbortSignal.timeout(30_000) }).catch(() => undefined);

      const mine = () => events.statuses.filter((s) => s.appId === 9501);
      const crashes = () => mine().filter((s) => s.status === "crashed");
      await eventually(() => crashes().length >= 5, 120_000, "five crash reports");
      // 0.3 s doubling per crash, capped at 2 s: each crash is its own app_status report (what the
      // platform counts for its crash-loop alert), the first from the app's own exit, the rest
      // from starts that died at once.
      expect(crashes().slice(0, 5).map((c) => c.reason)).toEqual(
        ["0.3", "0.6", "1.2", "2", "2"].map((d) => `exited with code 1; restarting in ${d} s`),
      );
      // Each restart came after its delay, as a running report between two crashes.
      const list = mine();
      for (const [i, delay] of [300, 600, 1_200, 2_000].entries()) {
        const crash = crashes()[i]!;
        const restarted = list.find((s) => s.at >= crash.at && s.status === "running" && list.indexOf(s) > list.indexOf(crash));
        expect(restarted, `a restart after crash ${i + 1}`).toBeDefined();
        expect(restarted!.at - crash.at).toBeGreaterThanOrEqual(delay);
      }
      // The same container each time (the agent restarts it; the engine's restart policy is off), and what it said reached the app's log.
      expect((await containersOf(9501)).map((c) => c.id)).toEqual([container!.id]);
      await eventually(() => events.logs.some((l) => l.appId === 9501 && l.stream === "stderr" && l.line === "boom: exiting at once"), 30_000, "the crash's output in the app log");

      expect(await runtime.execute(controlJob(9501, "stop"), quietReporter().reporter)).toMatchObject({ ok: true });
      expect(runtime.appStates()).toContainEqual(expect.objectContaining({ appId: 9501, status: "stopped" }));
      const settled = crashes().length;
      // The stop job has finished; this window (past the 2 s cap) gives a restart wrongly left
      // scheduled time to start and crash again: it can only let a failure through, never cause one.
      await new Promise((res) => setTimeout(res, 3_000));
      expect(crashes().length).toBe(settled);
      expect(mine().at(-1)).toMatchObject({ status: "stopped" });
    } finally {
      await runtime.shutdown(true);
    }
  });
});
