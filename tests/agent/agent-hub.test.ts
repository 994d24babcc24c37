import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureSampleRepository } from "../../src/sample-repo/ensure-sample-repository";
import { freePort } from "../helpers/free-port";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { startAgentProcess, type AgentProcess } from "./support/agent-process";
import { ControlPlane, payloadFor } from "./support/control-plane";
import { crashLoopServer, createGitRepo, helloServer, nodeApp } from "./support/git-fixture";
import { startHubProcess, type HubProcess } from "./support/hub-process";
import { eventually, httpText, tempStateDir } from "./support/runtime-harness";

let tdb: TestDatabase;
let hub: HubProcess;
let agent: AgentProcess;
let cp: ControlPlane;
let workerId: number;
const state = tempStateDir();
const NAME = "agent-it-1";

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startHubProcess(tdb.url, await freePort());
  agent = startAgentProcess({ hubUrl: hub.url, name: NAME, stateDir: path.join(state.dir, "agent") });
  cp = new ControlPlane(tdb.db, tdb.url);
  workerId = await cp.workerId(NAME);
  await eventually(async () => (await tdb.db.worker.findUnique({ where: { id: workerId } }))?.status === "online", 90_000, "worker online");
}, 300_000);

afterAll(async () => {
  await agent?.stop();
  await hub?.stop();
  await cp?.close();
  await tdb?.drop();
  state.cleanup();
});

// Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("agent against a real hub", { timeout: 180_000 }, () => {
  it("registers with a 0600 key file, heartbeats and holds the signed socket", async () => {
    const { statSync } = await import("node:fs");
    expect(statSync(path.join(state.dir, "agent", "credentials.json")).mode & 0o777).toBe(0o600);
    const worker = await tdb.db.worker.findUniqueOrThrow({ where: { id: workerId } });
    expect(worker).toMatchObject({ status: "online", capCpu: 4, capMem: 8192, wireguardIp: "127.0.0.1" });
    expect(worker.lastHeartbeat).not.toBeNull();
    // The worker row turns online before the welcome frame is logged: wait for the log line too.
    await eventually(() => agent.logs().some((l) => l.msg === "hub welcomed this worker"), 90_000, "hub welcomed this worker");
  });

  it("a deploy job is delivered, the app answers, logs flow and the job ends once", async () => {
    const url = await ensureSampleRepository(path.join(state.dir, "sample"));
    const app = await cp.createApp(workerId);
    const { jobId, deploymentId } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(url));
    const job = await cp.finishedJob(jobId);
    const deployment = await tdb.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    expect(job.status, `${job.error}\n${deployment.buildLogs}`).toBe("completed");
    expect(job.progress).toBe(100);
    expect(deployment.commitMessage).toBe("Sample app: first release");
    expect(deployment.commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(deployment.buildLogs).toContain("git clone");
    const stored = await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
    expect(stored.status).toBe("running");
    expect(await httpText(stored.port!)).toContain("Hello from the integration test");
    // How the app runs came with the result (src/protocol/runtime-report.ts); the hub stores it just after the job's commit.
    const runtime = await eventually(() => tdb.db.appRuntimeReport.findUnique({ where: { appId: app.id } }), 15_000, "runtime report row");
    expect(runtime.workerId).toBe(workerId);
    expect(runtime.report).toMatchObject({ kind: "process", limits: { cpu: { enforced_by: "none" }, memory_mb: { enforced_by: "agent" } }, health_check: { path: "/" } });
    // The app's stdout reaches the hub as runtime_log lines.
    await eventually(() => tdb.db.runtimeLog.findFirst({ where: { appId: app.id, line: { contains: "listening on port" } } }), 20_000, "runtime log row");
    // The agent logged the start long before the result; its stdout may still be on the way here.
    const starts = () => agent.logs().filter((l) => l.msg === "job started" && l.jobId === jobId);
    await eventually(() => starts().length > 0, 15_000, "job started logged");
    expect(starts()).toHaveLength(1);
    expect((await tdb.db.job.findUniqueOrThrow({ where: { id: jobId } })).completedAt).toEqual(job.completedAt);
  });

  it("a repository that fails to build → failed with the log tail", async () => {
    const repo = createGitRepo(nodeApp(helloServer, { build: `node -e "console.error('TS2304: cannot find name foo'); process.exit(2)"` }));
    const app = await cp.createApp(workerId);
    const { jobId, deploymentId } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(repo.url));
    const job = await cp.finishedJob(jobId);
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/`npm run build` failed with exit code 2/);
    const deployment = await tdb.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    expect(deployment.status).toBe("failed");
    expect(deployment.buildLogs).toContain("TS2304: cannot find name foo");
  });

  it("an app that never opens its port → failed with a timeout message", async () => {
    const repo = createGitRepo(nodeApp(`console.log("not listening"); setInterval(() => {}, 1000);`));
    const app = await cp.createApp(workerId);
    const { jobId } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(repo.url));
    const job = await cp.finishedJob(jobId);
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/did not answer on port \d+ within 5 s \(timeout\)/);
  });

  it("an app that exits at once repeatedly → crash reports with backoff, no busy loop", async () => {
    const repo = createGitRepo(nodeApp(crashLoopServer));
    const app = await cp.createApp(workerId);
    const { jobId } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(repo.url));
    expect((await cp.finishedJob(jobId)).status).toBe("completed");
    const crashes = () => tdb.db.appEvent.findMany({ where: { appId: app.id, kind: { contains: "crash" } }, orderBy: { createdAt: "asc" } });
    const seen = await eventually(async () => ((await crashes()).length >= 4 ? crashes() : null), 40_000, "four crash events");
    const span = seen[3]!.createdAt.getTime() - seen[0]!.createdAt.getTime();
    // Backoff 0.5 → 1 → 2 s (−20 % jitter at worst) between the first four crashes: no busy loop.
    expect(span).toBeGreaterThanOrEqual(2_800);
    expect((await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).status).toBe("crashed");
    const { jobId: stopJob } = await cp.assignJob(app.id, workerId, "stop", null);
    expect((await cp.finishedJob(stopJob)).status).toBe("completed");
  });

  it("the hub found nothing to object to in any frame the agent sent", () => {
    const complaints = agent.logs().filter((l) => l.msg === "hub reported an error about one of our frames");
    expect(complaints).toEqual([]);
    expect(agent.logs().filter((l) => l.msg === "hub frame rejected and ignored")).toEqual([]);
  });
});
