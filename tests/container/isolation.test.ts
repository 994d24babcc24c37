import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectContainer, removeContainer, runAppContainer, stopContainer } from "../../src/agent/runtime/container/app-container";
import { containerExit } from "../../src/agent/runtime/container/container-exit";
import { readContainerStats } from "../../src/agent/runtime/container/container-stats";
import { watchContainerEvents, type ContainerEvent } from "../../src/agent/runtime/container/engine-events";
import { baseSpec, eventually, httpGet, openContainerFixture, runToEnd, type ContainerFixture } from "./support/container-fixture";

let fixture: ContainerFixture;
beforeAll(async () => {
  fixture = await openContainerFixture("isolation");
}, 600_000);
afterAll(async () => {
  await fixture?.cleanup();
}, 120_000);

/** Runs a Node script in a container on the base image and returns the JSON it prints after "RESULT ". */
async function probe(script: string, overrides: Parameters<typeof baseSpec>[1] = {}) {
  const run = await runToEnd(fixture, await baseSpec(fixture, { command: ["node", "-e", script], ...overrides }));
  const line = run.lines.find((l) => l.line.startsWith("RESULT "));
  if (!line) throw new Error(`no RESULT line; output:\n${run.text}`);
  return JSON.parse(line.line.slice("RESULT ".length)) as Record<string, unknown>;
}

describe("limits and hardening", () => {
  it("land on the container as the plan sets them", async () => {
    const spec = await baseSpec(fixture, {
      limits: { cpu: 0.5, memoryMb: 96, pids: 48 },
      command: ["node", "-e", `require("node:http").createServer((q, s) => s.end("up")).listen(Number(process.env.PORT))`],
      env: { GREETING: "hi", PORT: "1" },
    });
    const { id } = await runAppContainer(fixture.engine, spec);
    expect((await eventually(() => httpGet(spec.hostPort), 20_000, "the app")).body).toBe("up");

    const info = await inspectContainer(fixture.engine, id);
    const hc = info!.HostConfig;
    expect(hc.Memory).toBe(96 * 1024 * 1024);
    expect(hc.MemorySwap).toBe(96 * 1024 * 1024);
    expect(hc.NanoCpus).toBe(500_000_000);
    expect(hc.PidsLimit).toBe(48);
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(hc.Privileged).toBe(false);
    expect(hc.CapAdd ?? []).toEqual([]);
    expect(hc.SecurityOpt).toContain("no-new-privileges");
    expect(hc.PortBindings).toEqual({ "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: String(spec.hostPort) }] });
    expect(hc.Binds ?? []).toEqual([]);
    expect((info!.Mounts ?? []).filter((m) => m.Type === "bind")).toEqual([]);
    expect(hc.Ulimits?.map((u) => u.Name.replace(/^RLIMIT_/, "").toLowerCase()).sort()).toEqual(["nofile", "nproc"]);
    expect(info!.Config.User).toBe("10001:10001");
    await removeContainer(fixture.engine, id, { force: true });
  }, 60_000);

  it("run the app unprivileged: no capabilities, no new privileges, read-only root with a writable /tmp", async () => {
    const result = await probe(`
      const fs = require("node:fs");
      const status = fs.readFileSync("/proc/self/status", "utf8");
      const field = (n) => (status.match(new RegExp("^" + n + ":\\\\s*(\\\\S+)", "m")) || [])[1];
      const tryWrite = (p) => { try { fs.writeFileSync(p, "x"); return "written"; } catch (e) { return e.code; } };
      console.log("RESULT " + JSON.stringify({
        uid: process.getuid(), gid: process.getgid(), capEff: field("CapEff"), capBnd: field("CapBnd"), noNewPrivs: field("NoNewPrivs"),
        rootWrite: tryWrite("/evil"), appWrite: tryWrite("/usr/local/bin/evil"), tmpWrite: tryWrite("/tmp/ok"), port: process.env.PORT,
      }));`);
    expect(result).toEqual({
      uid: 10001,
      gid: 10001,
      capEff: "0000000000000000",
      capBnd: "0000000000000000",
      noNewPrivs: "1",
      rootWrite: "EROFS",
      appWrite: "EROFS",
      tmpWrite: "written",
      port: "8080",
    });
  }, 60_000);

  it("report an app over its memory limit as OOM-killed, with a die event for crash detection", async () => {
    const events: ContainerEvent[] = [];
    const watcher = await watchContainerEvents(fixture.engine, { workerName: fixture.workerName }, (e) => events.push(e));
    try {
      const spec = await baseSpec(fixture, {
        limits: { cpu: 1, memoryMb: 64, pids: 64 },
        command: ["node", "-e", "const keep = []; setInterval(() => { for (let i = 0; i < 8; i++) keep.push(Buffer.alloc(1 << 20, 1)); }, 20);"],
      });
      const { id } = await runAppContainer(fixture.engine, spec);
      const exit = await eventually(async () => {
        const e = await containerExit(fixture.engine, id);
        return e && !e.running ? e : null;
      }, 30_000, "the container to be killed");
      expect(exit.exitCode).toBe(137);
      expect(exit.oomKilled).toBe(true);
      const died = await eventually(() => events.find((e) => e.containerId === id && e.action === "die"), 10_000, "the die event");
      expect(died.exitCode).toBe(137);
      expect(died.app).toMatchObject({ appId: spec.app.appId, deploymentId: spec.app.deploymentId, workerName: fixture.workerName });
      await removeContainer(fixture.engine, id, { force: true });
    } finally {
      watcher.stop();
    }
  }, 60_000);

  it("does not report a plain exit, or a stop that ends in SIGKILL, as an OOM kill", async () => {
    const run = await runToEnd(fixture, await baseSpec(fixture, { command: ["node", "-e", "process.exit(3)"] }));
    expect(await containerExit(fixture.engine, run.id)).toMatchObject({ running: false, exitCode: 3, oomKilled: false });

    // PID 1 ignores SIGTERM unless it handles it: the stop's grace period ends in SIGKILL (137).
    const spec = await baseSpec(fixture, { command: ["node", "-e", "setInterval(() => {}, 1000)"], stopGraceSeconds: 1 });
    const { id } = await runAppContainer(fixture.engine, spec);
    await eventually(async () => (await inspectContainer(fixture.engine, id))?.State.Running, 10_000, "the container to run");
    await stopContainer(fixture.engine, id, 1);
    expect(await containerExit(fixture.engine, id)).toMatchObject({ running: false, exitCode: 137, oomKilled: false });
  }, 60_000);

  it("stops a fork bomb at the pids limit and the worker stays usable", async () => {
    const pidsLimit = 40;
    const spec = await baseSpec(fixture, {
      limits: { cpu: 0.5, memoryMb: 128, pids: pidsLimit },
      // Forks until the limit refuses, and every child lives on. dash exits when a fork fails, so
      // the forking runs in a subshell and PID 1 stays (the classic `bomb | bomb &` died out at
      // once, and its peak was a moment the stats could miss).
      command: ["/bin/sh", "-c", "(while :; do sleep 300 & done); sleep 300"],
    });
    const { id } = await runAppContainer(fixture.engine, spec);
    try {
      const seen: number[] = [];
      await eventually(async () => {
        const stats = await readContainerStats(fixture.engine, id);
        if (stats) seen.push(stats.pids);
        return stats && stats.pids >= pidsLimit - 5;
      }, 60_000, "the fork bomb to reach the pids limit");
      expect(Math.max(...seen)).toBeLessThanOrEqual(pidsLimit);
      // The host can still start processes, and the engine still answers.
      expect(execFileSync("node", ["-e", "console.log('host ok')"], { encoding: "utf8", timeout: 30_000 }).trim()).toBe("host ok");
      expect((await inspectContainer(fixture.engine, id))?.State.Running).toBe(true);
    } finally {
      const started = Date.now();
      await removeContainer(fixture.engine, id, { force: true });
      expect(Date.now() - started).toBeLessThan(45_000);
    }
    expect(await inspectContainer(fixture.engine, id)).toBeNull();
  }, 120_000);
});

describe("isolation from the host", () => {
  let server: Server;
  let hostPort: number;
  beforeAll(async () => {
    server = createServer((socket) => socket.end("host secret\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    hostPort = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("cannot read host paths or see host processes", async () => {
    const secret = path.join(fixture.stateDir, "credentials.json");
    writeFileSync(secret, JSON.stringify({ apiKey: "worker-key" }));
    const result = await probe(`
      const fs = require("node:fs");
      const pids = fs.readdirSync("/proc").filter((n) => /^\\d+$/.test(n));
      const read = (p) => { try { return fs.readFileSync(p, "utf8").slice(0, 40); } catch (e) { return e.code; } };
      console.log("RESULT " + JSON.stringify({
        secret: read(${JSON.stringify(secret)}), stateDir: fs.existsSync(${JSON.stringify(fixture.stateDir)}),
        hostPid: fs.existsSync("/proc/${process.pid}/environ") && read("/proc/${process.pid}/cmdline").includes("vitest"),
        processCount: pids.length, init: read("/proc/1/cmdline").split("\\0")[0],
      }));`);
    expect(result.secret).toBe("ENOENT");
    expect(result.stateDir).toBe(false);
    expect(result.hostPid).toBe(false);
    expect(result.processCount).toBeLessThan(10);
    expect(result.init).toBe("node");
  }, 60_000);

  it("cannot reach a service the host binds on loopback", async () => {
    // Reachable from the host itself, so a refusal below is the container's isolation.
    const { Socket } = await import("node:net");
    const fromHost = await new Promise<string>((resolve) => {
      const s = new Socket();
      s.once("data", (d) => resolve(d.toString().trim()));
      s.once("error", (e) => resolve(e.message));
      s.connect(hostPort, "127.0.0.1");
    });
    expect(fromHost).toBe("host secret");

    const result = await probe(`
      const net = require("node:net"); const fs = require("node:fs");
      // The default gateway is the host's end of the container network: the way out to the host.
      const route = fs.readFileSync("/proc/net/route", "utf8").split("\\n").slice(1).map((l) => l.trim().split(/\\s+/)).find((f) => f[1] === "00000000");
      const gw = route ? route[2].match(/../g).reverse().map((h) => parseInt(h, 16)).join(".") : null;
      const attempt = (host) => new Promise((resolve) => {
        const s = net.connect({ host, port: ${hostPort}, timeout: 2000 });
        s.once("data", (d) => { resolve("read: " + d.toString().trim()); s.destroy(); });
        s.once("connect", () => setTimeout(() => { resolve("connected"); s.destroy(); }, 500));
        s.once("timeout", () => { resolve("timeout"); s.destroy(); });
        s.once("error", (e) => resolve(e.code));
      });
      (async () => {
        const targets = ["127.0.0.1", "localhost", "host.containers.internal", gw].filter(Boolean);
        const out = {};
        for (const t of targets) out[t] = await attempt(t);
        console.log("RESULT " + JSON.stringify({ gateway: gw, results: out }));
      })();`);
    const results = result.results as Record<string, string>;
    expect(result.gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(Object.keys(results).length).toBeGreaterThanOrEqual(3);
    for (const [target, outcome] of Object.entries(results)) {
      expect(`${target}: ${outcome}`).not.toMatch(/read: |connected/);
    }
  }, 60_000);
});
