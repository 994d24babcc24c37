import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectContainer, listAppContainers, stopContainer } from "../../src/agent/runtime/container/app-container";
import { ContainerRuntime } from "../../src/agent/runtime/container/container-runtime";
import { engineCall } from "../../src/agent/runtime/container/engine-request";
import { listNetworkHolders } from "../../src/agent/runtime/container/network-holder";
import { createGitRepo, nodeApp } from "../agent/support/git-fixture";
import { controlJob, deployJob, quietReporter, recordEvents, type RecordedEvents } from "../agent/support/runtime-harness";
import { eventually, httpGet, openContainerFixture, type ContainerFixture } from "./support/container-fixture";

/**
 * Network holders (src/agent/runtime/container/network-holder.ts) on the machine's engine: the app
 * container joins a holder that owns its namespace and published port; deploys take the spare made
 * after the previous one; a holder that stops takes the app down, which comes back in a new holder on its port; the agent's
 * restart keeps the holders records refer to and removes the rest; delete leaves none.
 */
let fx: ContainerFixture;
/** The runtime the test has running, shut down after it even when the test failed halfway (its spares would outlive the cleanup). */
let running: ContainerRuntime | null = null;

function makeRuntime(rec: RecordedEvents): ContainerRuntime {
  return new ContainerRuntime({
    engine: fx.engine,
    workerName: fx.workerName,
    stateDir: fx.stateDir,
    baseImage: fx.baseImage,
    allowLocalRepos: true,
    buildTimeoutMs: 240_000,
    startTimeoutMs: 12_000,
    crashBackoff: { initialMs: 200, maxMs: 2_000 },
    stopGraceSeconds: 2,
    drainMs: 0,
    events: rec,
    // Warnings reach the test's output: a holder that could not be made says why there.
    log: pino({ level: "warn" }, pino.destination(2)),
  });
}

const server = (version: string) => `require("node:http").createServer((q, s) => s.end("${version}")).listen(Number(process.env.PORT));`;

/** The holder whose network the app container joined, from the engine's own view of the container. */
async function joinedHolder(containerId: string): Promise<string> {
  const info = await inspectContainer(fx.engine, containerId);
  const mode = String((info?.HostConfig as { NetworkMode?: string } | undefined)?.NetworkMode ?? "");
  expect(mode).toMatch(/^container:/);
  return mode.slice("container:".length);
}

/** The host port a holder publishes, from its inspect. */
async function publishedPort(holderId: string): Promise<number> {
  const info = await inspectContainer(fx.engine, holderId);
  const bindings = Object.values(info?.HostConfig.PortBindings ?? {}).flatMap((b) => b ?? []);
  expect(bindings.map((b) => b.HostIp)).toEqual(["127.0.0.1"]);
  return Number(bindings[0]!.HostPort);
}

const holders = () => listNetworkHolders(fx.engine, fx.workerName);

/**
 * One short attempt. fetch keeps connections alive, and one kept from before a holder stopped goes
 * nowhere afterwards (its NAT mapping went with the holder's network): it is dropped at the
 * timeout, and the next attempt opens a new connection.
 */
const answer = (port: number) =>
  fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) })
    .then((r) => r.text())
    .catch(() => null);

beforeAll(async () => {
  fx = await openContainerFixture("holder");
}, 600_000);

afterAll(async () => {
  await running?.shutdown(true);
  await fx?.cleanup();
}, 120_000);

describe("network holders", () => {
  it("deploys join a holder, the next deploy takes the spare, and holders outlive neither their app nor the agent's restart", async () => {
    const events = recordEvents();
    let runtime = makeRuntime(events);
    running = runtime;
    await runtime.init();
    const appId = 801;
    const v1 = createGitRepo(nodeApp(server("v1")));
    const r1 = quietReporter();
    const first = await runtime.execute({ ...deployJob(appId, v1.url), deployment_id: 1 }, r1.reporter);
    expect(first, r1.lines.join("\n")).toMatchObject({ ok: true });
    if (!first.ok) return;
    expect((await httpGet(first.port!)).body).toBe("v1");
    const firstHolder = await joinedHolder(first.containerId!);
    expect(await publishedPort(firstHolder)).toBe(first.port);
    // The app container publishes nothing itself: its holder does.
    const appInfo = await inspectContainer(fx.engine, first.containerId!);
    expect(appInfo?.HostConfig.PortBindings ?? {}).toEqual({});
    // The holder runs nothing but sleep, as unprivileged as an app.
    const holderInfo = await inspectContainer(fx.engine, firstHolder);
    expect(holderInfo?.Config.User).toBe("65534:65534");
    expect(holderInfo?.HostConfig).toMatchObject({ ReadonlyRootfs: true, Privileged: false, PidsLimit: 4 });
    expect(holderInfo?.HostConfig.CapAdd ?? []).toEqual([]);
    expect(holderInfo?.HostConfig.SecurityOpt).toContain("no-new-privileges");
    expect(holderInfo?.Mounts?.filter((m) => m.Type === "bind") ?? []).toEqual([]);

    // After the result, on the app's lock: a spare for the next deploy.
    await runtime.whenIdle(appId);
    const afterFirst = await holders();
    expect(afterFirst.map((h) => h.state)).toEqual(["running", "running"]);
    const spare = afterFirst.find((h) => h.id !== firstHolder)!;
    const sparePort = await publishedPort(spare.id);

    const v2 = createGitRepo(nodeApp(server("v2")));
    const r2 = quietReporter();
    const second = await runtime.execute({ ...deployJob(appId, v2.url), deployment_id: 2 }, r2.reporter);
    expect(second, r2.lines.join("\n")).toMatchObject({ ok: true, port: sparePort });
    if (!second.ok) return;
    expect(await joinedHolder(second.containerId!)).toBe(spare.id);
    expect((await httpGet(sparePort)).body).toBe("v2");
    // The namespace's traffic counters come through the app container's stats.
    await runtime.whenIdle(appId);
    await eventually(async () => {
      await httpGet(sparePort);
      return (runtime.sampleUsage().find((x) => x.appId === appId)?.netTotalBytes ?? 0) > 0;
    }, 30_000, "network bytes in the app's usage sample");
    // Drain 0: the replaced container and then its holder are removed; a new spare is made.
    await runtime.whenIdle(appId);
    const afterSecond = await holders();
    expect(afterSecond.map((h) => h.id)).not.toContain(firstHolder);
    expect(afterSecond).toHaveLength(2);
    expect(await listAppContainers(fx.engine, { workerName: fx.workerName, appId })).toHaveLength(1);

    // The holder stops under the running app: the app is reported crashed, then serves again on its port.
    await engineCall(fx.engine.docker, { path: `/containers/${spare.id}/kill?`, method: "POST", options: { signal: "SIGKILL" }, statusCodes: { 204: true }, timeoutMs: 30_000 });
    await eventually(() => events.statuses.find((s) => s.appId === appId && s.status === "crashed" && /network/.test(s.reason ?? "")), 30_000, "the crash report naming the network holder");
    await eventually(async () => (await answer(sparePort)) === "v2", 30_000, "v2 answering again on its port");
    expect(runtime.appStates()).toContainEqual(expect.objectContaining({ appId, status: "running" }));

    // A new holder on the same port (the stopped one is replaced, not started again), and no trace of the old one.
    const [serving] = await listAppContainers(fx.engine, { workerName: fx.workerName, appId });
    const holder = await joinedHolder(serving!.id);
    expect(holder).not.toBe(spare.id);
    expect(await publishedPort(holder)).toBe(sparePort);
    await eventually(async () => !(await holders()).some((h) => h.id === spare.id), 30_000, "the killed holder removed");
    expect(events.statuses.filter((s) => s.appId === appId && s.status === "crashed" && /network/.test(s.reason ?? ""))).toHaveLength(1);

    // The agent stops (apps keep running): its spare goes, the app's holder stays.
    await runtime.shutdown(false);
    expect((await holders()).map((h) => h.id)).toEqual([holder]);
    // Meanwhile the holder stops: nothing reaches the app, so the next run gives it a new holder on its port.
    await stopContainer(fx.engine, holder, 0);
    runtime = makeRuntime(recordEvents());
    running = runtime;
    await runtime.init();
    await eventually(async () => (await answer(sparePort)) === "v2", 30_000, "v2 answering after the agent's restart");
    const [restarted] = await listAppContainers(fx.engine, { workerName: fx.workerName, appId });
    const restartedHolder = await joinedHolder(restarted!.id);
    expect(await publishedPort(restartedHolder)).toBe(sparePort);
    await eventually(async () => (await holders()).length === 2 && !(await holders()).some((h) => h.id === holder), 30_000, "a spare made after the restart, and the stopped holder removed");

    // Delete leaves no app container and no holder of the app, and no spare: no other app listens on its port.
    const deleted = await runtime.execute(controlJob(appId, "delete"), quietReporter().reporter);
    expect(deleted).toMatchObject({ ok: true });
    expect(await listAppContainers(fx.engine, { workerName: fx.workerName, appId })).toHaveLength(0);
    expect(await holders()).toEqual([]);
    running = null;
    await runtime.shutdown(true);
    expect(await holders()).toEqual([]);
  }, 400_000);
});
