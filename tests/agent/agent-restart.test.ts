import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProcessTable } from "../../src/agent/runtime/process/process-table";
import { hashApiKey } from "../../src/protocol/api-key";
import { freePort } from "../helpers/free-port";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { startAgentProcess, type AgentProcess } from "./support/agent-process";
import { ControlPlane, payloadFor } from "./support/control-plane";
import { createGitRepo, helloServer, memoryHogServer, nodeApp } from "./support/git-fixture";
import { HUB_SECRETS, startHubProcess, type HubProcess } from "./support/hub-process";
import { eventually, httpText, tempStateDir } from "./support/runtime-harness";

let tdb: TestDatabase;
let hub: HubProcess;
let cp: ControlPlane;
const state = tempStateDir();
const agents: AgentProcess[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startHubProcess(tdb.url, await freePort());
  cp = new ControlPlane(tdb.db, tdb.url);
}, 150_000);

afterAll(async () => {
  for (const a of agents) await a.stop();
  await hub?.stop();
  await cp?.close();
  await tdb?.drop();
  state.cleanup();
});

// Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("agent restarts and limits, against a real hub", { timeout: 180_000 }, () => {
  it("a killed agent comes back with the same registration and re-attaches to its running app", async () => {
    const stateDir = path.join(state.dir, "restart");
    const first = startAgentProcess({ hubUrl: hub.url, name: "agent-comeback", stateDir, stopAppsOnExit: false });
    agents.push(first);
    const workerId = await cp.workerId("agent-comeback");
    await eventually(() => first.logs().some((l) => l.msg === "hub welcomed this worker"), 90_000, "first agent connected");
    const app = await cp.createApp(workerId);
    const { jobId } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(createGitRepo(nodeApp(helloServer)).url));
    expect((await cp.finishedJob(jobId)).status).toBe("completed");
    const { port } = await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });

    await first.kill();
    expect(await httpText(port!)).toBe("hello nobody");

    const second = startAgentProcess({ hubUrl: hub.url, name: "agent-comeback", stateDir });
    agents.push(second);
    await eventually(() => second.logs().some((l) => l.msg === "hub welcomed this worker"), 90_000, "second agent connected");
    expect(second.logs().some((l) => l.msg === "reusing the existing registration")).toBe(true);
    expect(second.logs().some((l) => l.msg === "adopted a running app" && l.appId === app.id)).toBe(true);
    expect(await tdb.db.worker.count({ where: { name: "agent-comeback" } })).toBe(1);
    // The true state is reported after the reconnect.
    await eventually(async () => (await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).status === "running", 15_000, "app running");
    // The adopted app is fully controlled: a stop job ends it.
    const { jobId: stopJob } = await cp.assignJob(app.id, workerId, "stop", null);
    expect((await cp.finishedJob(stopJob)).status).toBe("completed");
    await expect(httpText(port!)).rejects.toThrow();
  });

  it("an app over its plan's memory limit is stopped and the hub marks it violated", async () => {
    const agent = startAgentProcess({ hubUrl: hub.url, name: "agent-limits", stateDir: path.join(state.dir, "limits") });
    agents.push(agent);
    const workerId = await cp.workerId("agent-limits");
    await eventually(() => agent.logs().some((l) => l.msg === "hub welcomed this worker"), 90_000, "agent connected");
    const app = await cp.createApp(workerId);
    const payload = payloadFor(createGitRepo(nodeApp(memoryHogServer)).url, { limits: { cpu: 1, memoryMb: 200, pids: 64, diskMb: 512, bandwidthMbit: 0 } });
    const { jobId } = await cp.assignJob(app.id, workerId, "deploy", payload);
    expect((await cp.finishedJob(jobId)).status).toBe("completed");
    const { port } = await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
    // The agent may stop the app while it is still allocating, before it answers.
    await httpText(port!, "/grow").catch(() => undefined);
    const violated = await eventually(async () => {
      const a = await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
      return a.status === "violated" ? a : null;
    }, 20_000, "app violated");
    expect(violated.statusReason).toMatch(/over the plan's limit of 200 MiB/);
    await eventually(() => httpText(port!).then(() => false, () => true), 15_000, "app stopped");
  });

  it("a rotated key closes the connection (4001): the agent stops, and comes back with the new key", async () => {
    const stateDir = path.join(state.dir, "rotate");
    const agent = startAgentProcess({ hubUrl: hub.url, name: "agent-rotated", stateDir });
    agents.push(agent);
    await eventually(() => agent.logs().some((l) => l.msg === "hub welcomed this worker"), 90_000, "agent connected");
    const rotate = spawnSync(process.execPath, ["--import", "tsx", "scripts/rotate-worker-key.ts", "agent-rotated"], {
      env: { ...process.env, ...HUB_SECRETS, NODE_ENV: "test", DATABASE_URL: tdb.url, LOG_LEVEL: "silent" },
      encoding: "utf8",
    });
    const newKey = /New API key \(shown once\): (\S+)/.exec(rotate.stdout)?.[1];
    expect(newKey, rotate.stderr).toBeTruthy();
    await eventually(() => agent.child.exitCode !== null, 60_000, "agent exit");
    expect(agent.child.exitCode).toBe(1);
    // 'exit' can come before the last output is read from the pipe: wait for the line itself.
    await eventually(() => agent.logs().some((l) => l.level === 60 && String(l.reason).includes("4001")), 15_000, "the fatal 4001 line");

    // Restarted without the new key, the agent cannot undo the rotation with its stored old key.
    const stale = startAgentProcess({ hubUrl: hub.url, name: "agent-rotated", stateDir });
    agents.push(stale);
    await eventually(() => stale.child.exitCode !== null, 60_000, "stale agent exit");
    expect(stale.child.exitCode).toBe(1);
    await eventually(
      () => stale.logs().some((l) => l.level === 60 && /registration refused \(conflict\).*WORKER_API_KEY/.test(String(l.err ?? l.reason))),
      15_000,
      "the fatal registration-refused line",
    );
    expect((await tdb.db.worker.findUniqueOrThrow({ where: { name: "agent-rotated" } })).apiKeyHash).toBe(hashApiKey(newKey!));

    const again = startAgentProcess({ hubUrl: hub.url, name: "agent-rotated", stateDir, env: { WORKER_API_KEY: newKey!, WORKER_REGISTRATION_TOKEN: "" } });
    agents.push(again);
    await eventually(() => again.logs().some((l) => l.msg === "hub welcomed this worker"), 90_000, "agent back with the new key");
    expect(again.logs().some((l) => l.msg === "reusing the existing registration")).toBe(true);
  });

  it("the agent killed mid-deploy: the next start ends the orphaned build and cleans up; a retry deploys", async () => {
    const stateDir = path.join(state.dir, "midbuild");
    const first = startAgentProcess({ hubUrl: hub.url, name: "agent-midbuild", stateDir });
    agents.push(first);
    const workerId = await cp.workerId("agent-midbuild");
    await eventually(() => first.logs().some((l) => l.msg === "hub welcomed this worker"), 90_000, "agent connected");
    const slow = createGitRepo(nodeApp(helloServer, { build: `node -e "setTimeout(() => {}, 120000)"` }));
    const app = await cp.createApp(workerId);
    const { jobId } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(slow.url));
    const marker = path.join(stateDir, "apps", String(app.id), "releases", `job-${jobId}`, "build-process.json");
    const { pid } = await eventually(() => JSON.parse(readFileSync(marker, "utf8")) as { pid: number }, 60_000, "build step running");
    await first.kill();
    // npm may die with the agent (its output pipe broke), but the script it ran goes on.
    await eventually(() => groupAlive(pid), 10_000, "orphaned build still running");

    const second = startAgentProcess({ hubUrl: hub.url, name: "agent-midbuild", stateDir });
    agents.push(second);
    await eventually(() => second.logs().some((l) => l.msg === "hub welcomed this worker"), 90_000, "agent back");
    await eventually(() => !groupAlive(pid), 15_000, "orphaned build killed");
    expect(existsSync(path.dirname(marker))).toBe(false);
    // The next start ends the job it died in the middle of: failed once, saying why
    // (src/agent/jobs/job-runner.ts, failInterrupted); then a new deploy (the dashboard's retry) works.
    const interrupted = await eventually(async () => {
      const job = await tdb.db.job.findUniqueOrThrow({ where: { id: jobId } });
      return job.status === "failed" ? job : null;
    }, 30_000, "the interrupted job failed");
    expect(interrupted.error).toMatch(/agent was restarted .* while running this job/);
    const { jobId: retry } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(createGitRepo(nodeApp(helloServer)).url));
    expect((await cp.finishedJob(retry)).status).toBe("completed");
    expect(await httpText((await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).port!)).toBe("hello nobody");
  });

  it("an agent asked to stop while the hub is unreachable exits promptly and cleanly", async () => {
    // Reserved and never bound: nothing answers on it for the whole test.
    const closedPort = await freePort();
    const agent = startAgentProcess({ hubUrl: `http://127.0.0.1:${closedPort}`, name: "agent-nohub", stateDir: path.join(state.dir, "nohub") });
    agents.push(agent);
    await eventually(() => agent.logs().some((l) => l.msg === "cannot reach the hub to register; retrying"), 90_000, "registration retries");
    agent.child.kill("SIGTERM");
    await eventually(() => agent.child.exitCode !== null, 15_000, "agent exited");
    expect(agent.child.exitCode).toBe(0);
    expect(existsSync(path.join(state.dir, "nohub", "agent.pid"))).toBe(false);
  });
});


/** True while any live process remains in the process group `pgid`. */
function groupAlive(pgid: number): boolean {
  return readProcessTable().some((p) => p.pgrp === pgid && p.state !== "Z");
}