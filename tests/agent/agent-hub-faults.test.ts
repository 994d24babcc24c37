import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { startAgentProcess, type AgentProcess } from "./support/agent-process";
import { ControlPlane, payloadFor } from "./support/control-plane";
import { createGitRepo, helloServer, nodeApp } from "./support/git-fixture";
import { startHubProcess, type HubProcess } from "./support/hub-process";
import { eventually, httpText, tempStateDir } from "./support/runtime-harness";
import { TamperingProxy } from "./support/tampering-proxy";

let tdb: TestDatabase;
let cp: ControlPlane;
const state = tempStateDir();
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  cp = new ControlPlane(tdb.db, tdb.url);
}, 120_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await cp?.close();
  await tdb?.drop();
  state.cleanup();
});

// Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("agent and hub faults", { timeout: 180_000 }, () => {
  it("the hub restarted mid-deploy → the agent reconnects, the job ends once", async () => {
    // Reserved: no other process can take it while the hub is down.
    const port = await freePort();
    let hub: HubProcess = await startHubProcess(tdb.url, port);
    cleanups.push(() => hub.stop());
    const agent: AgentProcess = startAgentProcess({ hubUrl: hub.url, name: "agent-restart", stateDir: path.join(state.dir, "a1") });
    cleanups.push(() => agent.stop());
    const workerId = await cp.workerId("agent-restart");
    await eventually(() => agent.logs().some((l) => l.msg === "hub welcomed this worker"), 90_000, "agent connected");

    // A build slow enough for the hub to die while it runs.
    const repo = createGitRepo(nodeApp(helloServer, { build: `node -e "setTimeout(() => console.log('built'), 3000)"` }));
    const app = await cp.createApp(workerId);
    const { jobId } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(repo.url));
    await eventually(async () => (await tdb.db.job.findUnique({ where: { id: jobId } }))?.status === "processing", 30_000, "job processing");
    await hub.kill();
    // Down long enough that the build finishes while the hub is away: the result waits in the outbox.
    await eventually(() => agent.logs().some((l) => l.msg === "job finished" && l.jobId === jobId), 30_000, "job finished on the agent");
    hub = await startHubProcess(tdb.url, port);

    const job = await cp.finishedJob(jobId);
    expect(job.status, job.error ?? "").toBe("completed");
    await eventually(() => agent.logs().some((l) => l.msg === "job started" && l.jobId === jobId), 15_000, "job started logged");
    expect(agent.logs().filter((l) => l.msg === "job started" && l.jobId === jobId)).toHaveLength(1);
    const stored = await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
    expect(stored.status).toBe("running");
    expect(await httpText(stored.port!)).toBe("hello nobody");
    expect(agent.logs().filter((l) => l.msg === "connected to the hub").length).toBeGreaterThanOrEqual(2);
  });

  it("a tampered hub frame → ignored and logged; the untouched resend is executed", async () => {
    const hub = await startHubProcess(tdb.url, await freePort());
    cleanups.push(() => hub.stop());
    const proxy = await TamperingProxy.start(hub.url);
    cleanups.push(() => proxy.close());
    // Rewrite the repository of any job frame without re-signing it (the attacker lacks K).
    proxy.tamper = (text) => {
      const env = JSON.parse(text);
      if (env.type !== "job") return text;
      env.data = env.data.replace(/"repoUrl":"[^"]*"/, '"repoUrl":"file:///etc"');
      return JSON.stringify(env);
    };
    const agent = startAgentProcess({ hubUrl: proxy.url, name: "agent-tamper", stateDir: path.join(state.dir, "a2") });
    cleanups.push(() => agent.stop());
    const workerId = await cp.workerId("agent-tamper");
    await eventually(() => agent.logs().some((l) => l.msg === "hub welcomed this worker"), 90_000, "agent connected");

    const repo = createGitRepo(nodeApp(helloServer));
    const app = await cp.createApp(workerId);
    const { jobId } = await cp.assignJob(app.id, workerId, "deploy", payloadFor(repo.url));
    const rejected = await eventually(() => agent.logs().find((l) => l.msg === "hub frame rejected and ignored"), 30_000, "rejection logged");
    expect(rejected.code).toBe("bad_signature");
    expect(agent.logs().some((l) => l.msg === "job started")).toBe(false);
    expect((await tdb.db.job.findUniqueOrThrow({ where: { id: jobId } })).status).toBe("assigned");

    // The attacker goes away; on the new connection the hub sends the job again, intact.
    proxy.tamper = null;
    proxy.dropConnections();
    const job = await cp.finishedJob(jobId);
    expect(job.status, job.error ?? "").toBe("completed");
    const stored = await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
    expect(await httpText(stored.port!)).toBe("hello nobody");
  });
});
