import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectContainer, listAppContainers, removeContainer, runAppContainer, stopContainer } from "../../src/agent/runtime/container/app-container";
import { followContainerLogs, type ContainerLogLine } from "../../src/agent/runtime/container/container-logs";
import { swapsNetworkDirections, watchContainerStats, type ContainerStatsSample } from "../../src/agent/runtime/container/container-stats";
import { watchContainerEvents, type ContainerEvent } from "../../src/agent/runtime/container/engine-events";
import { healthCheckPath, waitForHealthy } from "../../src/agent/runtime/container/health-check";
import type { LogCursor } from "../../src/agent/runtime/container/log-cursor";
import { baseSpec, eventually, httpGet, openContainerFixture, type ContainerFixture } from "./support/container-fixture";

let fixture: ContainerFixture;
beforeAll(async () => {
  fixture = await openContainerFixture("observe");
}, 600_000);
afterAll(async () => {
  await fixture?.cleanup();
}, 120_000);

/** Prints a numbered line on each request (stdout) and a warning on /warn (stderr); /big answers 1 MiB. */
const chattyServer = `
  let n = 0;
  console.log("booting");
  console.error("a warning at boot");
  require("node:http").createServer((q, s) => {
    n++;
    if (q.url === "/warn") console.error("warn " + n); else console.log("request " + n + " " + q.url);
    if (q.url === "/slow-health") return setTimeout(() => s.end("late"), 5000);
    if (q.url === "/big") return s.end(Buffer.alloc(1 << 20, 97));
    if (q.url === "/health-broken") { s.statusCode = 500; return s.end("no"); }
    s.end("ok " + n);
  }).listen(Number(process.env.PORT), () => console.log("listening"));
  process.on("SIGTERM", () => { console.log("got SIGTERM, closing"); process.exit(0); });`;

async function startChatty() {
  const spec = await baseSpec(fixture, { command: ["node", "-e", chattyServer], stopGraceSeconds: 5 });
  const { id } = await runAppContainer(fixture.engine, spec);
  await eventually(() => httpGet(spec.hostPort, "/ready"), 20_000, "the app to answer");
  return { id, spec };
}

describe("logs", () => {
  it("follow stdout and stderr with timestamps and resume after a cursor without duplicates or gaps", async () => {
    const { id, spec } = await startChatty();
    const first: ContainerLogLine[] = [];
    let cursor: LogCursor | null = null;
    const follower = followContainerLogs(fixture.engine, id, {
      onLine: (line, c) => {
        first.push(line);
        cursor = c;
      },
    });
    await eventually(() => first.some((l) => l.line === "request 1 /ready"), 10_000, "the first request's line");
    expect(first.find((l) => l.line === "a warning at boot")?.stream).toBe("stderr");
    expect(first.find((l) => l.line === "booting")?.stream).toBe("stdout");
    for (const l of first) expect(Date.parse(l.time)).toBeGreaterThan(Date.now() - 120_000);

    await httpGet(spec.hostPort, "/two");
    await eventually(() => first.some((l) => l.line === "request 2 /two"), 10_000, "the second request's line");
    follower.stop();
    expect(follower.cursor).toEqual(cursor);

    // Lines written while nobody follows (an agent restart), then a resumed follower.
    await httpGet(spec.hostPort, "/three");
    await httpGet(spec.hostPort, "/warn");
    const resumed: ContainerLogLine[] = [];
    const again = followContainerLogs(fixture.engine, id, { since: cursor, onLine: (line) => resumed.push(line) });
    await httpGet(spec.hostPort, "/five");
    await eventually(() => resumed.some((l) => l.line === "request 5 /five"), 10_000, "the line after resuming");
    again.stop();

    expect(resumed.map((l) => l.line)).toEqual(["request 3 /three", "warn 4", "request 5 /five"]);
    expect(resumed.find((l) => l.line === "warn 4")?.stream).toBe("stderr");
    await removeContainer(fixture.engine, id, { force: true });
  }, 60_000);

  it("end when the container stops, after its last line", async () => {
    const { id } = await startChatty();
    const lines: string[] = [];
    let ended = false;
    followContainerLogs(fixture.engine, id, { onLine: (l) => lines.push(l.line), onEnd: () => (ended = true) });
    await stopContainer(fixture.engine, id, 5);
    await eventually(() => ended, 15_000, "the log stream to end");
    expect(lines.at(-1)).toBe("got SIGTERM, closing");
    // Read again without following once the engine ended the stream (container-logs.ts, finish):
    // nothing twice.
    expect(new Set(lines).size, lines.join(" / ")).toBe(lines.length);
    expect((await inspectContainer(fixture.engine, id))?.State).toMatchObject({ Running: false, ExitCode: 0 });
    await removeContainer(fixture.engine, id);
  }, 60_000);
});

describe("stats", () => {
  it("count Podman's network directions from the container's side", () => {
    expect(swapsNetworkDirections({ name: "podman", version: "4.3.1" })).toBe(true);
    expect(swapsNetworkDirections({ name: "podman", version: "4.4.0" })).toBe(false);
    expect(swapsNetworkDirections({ name: "podman", version: "5.2.1" })).toBe(false);
    expect(swapsNetworkDirections({ name: "docker", version: "24.0.7" })).toBe(false);
  });

  it("report memory against its limit and non-zero network bytes after traffic", async () => {
    const { id, spec } = await startChatty();
    const samples: ContainerStatsSample[] = [];
    const watcher = await watchContainerStats(fixture.engine, id, (s) => samples.push(s));
    try {
      for (let i = 0; i < 3; i++) await httpGet(spec.hostPort, "/big");
      const withTraffic = await eventually(
        () => samples.find((s) => s.netTxBytes > 3 * 1024 * 1024 && s.netRxBytes > 0),
        30_000,
        "a sample counting the traffic",
      );
      // The app sent the 3 MiB: the figures are the container's own directions.
      expect(withTraffic.netRxBytes).toBeLessThan(withTraffic.netTxBytes);
      expect(withTraffic.memLimitBytes).toBe(spec.limits.memoryMb * 1024 * 1024);
      expect(withTraffic.memBytes).toBeGreaterThan(1024 * 1024);
      expect(withTraffic.memBytes).toBeLessThan(withTraffic.memLimitBytes);
      expect(withTraffic.pids).toBeGreaterThan(0);
      expect(watcher.latest).not.toBeNull();
      // CPU is a rate between two messages: the second and later samples carry one.
      await eventually(() => samples.length >= 2, 20_000, "a second sample");
      expect(samples.every((s) => s.cpuPct >= 0 && s.cpuPct <= 100 * 2)).toBe(true);
    } finally {
      watcher.stop();
      await removeContainer(fixture.engine, id, { force: true });
    }
  }, 60_000);
});

describe("disk use", () => {
  it("measures the writable layer, what the plan's disk limit is checked against", async () => {
    const spec = await baseSpec(fixture, {
      // Writable root (an app's own Dockerfile image); /var/tmp is on the writable layer, /tmp is a tmpfs.
      readOnlyRootfs: false,
      command: ["node", "-e", "require('fs').writeFileSync('/var/tmp/blob', Buffer.alloc(6 << 20, 1)); console.log('written'); setInterval(() => {}, 1000)"],
    });
    const { id } = await runAppContainer(fixture.engine, spec);
    try {
      const info = await eventually(async () => {
        const i = await inspectContainer(fixture.engine, id, { size: true });
        return i && (i.SizeRw ?? 0) >= 6 << 20 ? i : null;
      }, 20_000, "the writable layer to hold the file");
      expect(info.SizeRw).toBeLessThan(8 << 20);
      expect((await inspectContainer(fixture.engine, id))?.SizeRw ?? null).toBeNull();
    } finally {
      await removeContainer(fixture.engine, id, { force: true });
    }
  }, 60_000);
});

describe("engine events and listing", () => {
  it("tell the worker's containers apart by label and report start and die", async () => {
    const events: ContainerEvent[] = [];
    const watcher = await watchContainerEvents(fixture.engine, { workerName: fixture.workerName }, (e) => events.push(e));
    const other = await watchContainerEvents(fixture.engine, { workerName: `${fixture.workerName}-other` }, (e) => events.push({ ...e, action: `other:${e.action}` }));
    try {
      const { id, spec } = await startChatty();
      const listed = await listAppContainers(fixture.engine, { workerName: fixture.workerName, appId: spec.app.appId });
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ id, appId: spec.app.appId, deploymentId: spec.app.deploymentId, workerName: fixture.workerName, state: "running" });
      expect(await listAppContainers(fixture.engine, { workerName: `${fixture.workerName}-other` })).toEqual([]);

      await eventually(() => events.some((e) => e.containerId === id && e.action === "start"), 10_000, "the start event");
      await stopContainer(fixture.engine, id, 5);
      const died = await eventually(() => events.find((e) => e.containerId === id && e.action === "die"), 15_000, "the die event");
      expect(died.exitCode).toBe(0);
      expect(events.filter((e) => e.action.startsWith("other:"))).toEqual([]);
      await removeContainer(fixture.engine, id);
    } finally {
      watcher.stop();
      other.stop();
    }
  }, 60_000);
});

describe("health check", () => {
  it("passes once the app answers 2xx, and fails on errors, timeouts and a dead container", async () => {
    const { id, spec } = await startChatty();
    try {
      const ok = await waitForHealthy({ host: "127.0.0.1", port: spec.hostPort, path: "/healthz", timeoutMs: 10_000 });
      expect(ok).toMatchObject({ healthy: true, status: 200 });

      const broken = await waitForHealthy({ host: "127.0.0.1", port: spec.hostPort, path: "/health-broken", timeoutMs: 1_500, intervalMs: 200 });
      expect(broken).toMatchObject({ healthy: false, reason: "timeout", lastStatus: 500 });
      expect(broken.attempts).toBeGreaterThan(1);

      const slow = await waitForHealthy({ host: "127.0.0.1", port: spec.hostPort, path: "/slow-health", timeoutMs: 2_000, requestTimeoutMs: 500 });
      expect(slow).toMatchObject({ healthy: false, reason: "timeout" });
      if (!slow.healthy) expect(slow.lastError).toMatch(/no answer within 500 ms/);

      await removeContainer(fixture.engine, id, { force: true });
      const gone = await waitForHealthy({
        host: "127.0.0.1",
        port: spec.hostPort,
        timeoutMs: 10_000,
        isAlive: async () => (await inspectContainer(fixture.engine, id))?.State.Running ?? false,
      });
      expect(gone).toMatchObject({ healthy: false, reason: "exited" });
    } finally {
      await removeContainer(fixture.engine, id, { force: true });
    }
  }, 60_000);

  it("refuses a path that could inject into the request", () => {
    expect(healthCheckPath(undefined)).toBe("/");
    expect(healthCheckPath("/ready?x=1")).toBe("/ready?x=1");
    expect(() => healthCheckPath("ready")).toThrow(/must start with/);
    expect(() => healthCheckPath("/a\r\nHost: evil")).toThrow(/control characters/);
  });
});
