import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/net/free-port";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { startAgentProcess } from "./support/agent-process";
import { ControlPlane } from "./support/control-plane";
import { startHubProcess } from "./support/hub-process";
import { eventually, tempStateDir } from "./support/runtime-harness";
import { TamperingProxy } from "./support/tampering-proxy";

let tdb: TestDatabase;
let cp: ControlPlane;
const state = tempStateDir();
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  cp = new ControlPlane(tdb.db, tdb.url);
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await cp?.close();
  await tdb?.drop();
  state.cleanup();
});

const typeOf = (text: string) => (JSON.parse(text) as { type: string }).type;
const seqOf = (text: string) => (JSON.parse(text) as { seq: number }).seq;

// Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("frames captured on one connection and replayed on the next (docs/worker-protocol.md, Connection keys)", { timeout: 180_000 }, () => {
  it("are refused by the agent (hub → worker) and by the hub (worker → hub)", async () => {
    const hub = await startHubProcess(tdb.url, await freePort());
    cleanups.push(() => hub.stop());
    const proxy = await TamperingProxy.start(hub.url);
    cleanups.push(() => proxy.close());
    const agent = startAgentProcess({ hubUrl: proxy.url, name: "agent-replay", stateDir: path.join(state.dir, "a1") });
    cleanups.push(() => agent.stop());
    const welcomes = () => agent.logs().filter((l) => l.msg === "hub welcomed this worker").length;
    const workerId = await cp.workerId("agent-replay");
    await eventually(() => welcomes() === 1, 30_000, "agent connected");

    // Connection 1: a job goes down, its result comes up; the man in the middle keeps both.
    const app = await cp.createApp(workerId);
    const { jobId } = await cp.assignJob(app.id, workerId, "stop", null);
    expect((await cp.finishedJob(jobId)).status).toBe("completed");
    const jobFrame = await eventually(() => proxy.seen.find((f) => f.conn === 1 && f.from === "hub" && typeOf(f.text) === "job"), 10_000, "job frame seen");
    const resultFrame = await eventually(() => proxy.seen.find((f) => f.conn === 1 && f.from === "agent" && typeOf(f.text) === "job_result"), 10_000, "result frame seen");

    // Connection 2, same worker.
    proxy.dropConnections();
    await eventually(() => welcomes() === 2 && proxy.connectionCount === 2, 60_000, "agent reconnected");
    // The agent sent nothing on the new connection before the hub's welcome.
    const second = proxy.seen.filter((f) => f.conn === 2);
    expect(typeOf(second[0]!.text)).toBe("welcome");

    proxy.inject("agent", jobFrame.text);
    const refused = await eventually(
      () => agent.logs().find((l) => l.msg === "hub frame rejected and ignored" && l.re === seqOf(jobFrame.text)),
      30_000,
      "replayed job frame refused by the agent",
    );
    expect(refused.code).toBe("bad_signature");

    proxy.inject("hub", resultFrame.text);
    const answered = await eventually(
      () => agent.logs().find((l) => l.msg === "hub reported an error about one of our frames" && l.re === seqOf(resultFrame.text)),
      30_000,
      "replayed result refused by the hub",
    );
    expect(answered.code).toBe("bad_signature");

    expect(agent.logs().filter((l) => l.msg === "job started" && l.jobId === jobId)).toHaveLength(1);
    expect(agent.logs().some((l) => l.msg === "job already finished; sending its result again")).toBe(false);
  });
});
