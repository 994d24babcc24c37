import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectContainer, listAppContainers } from "../../src/agent/runtime/container/app-container";
import { ContainerAppStore } from "../../src/agent/runtime/container/container-app-store";
import { ContainerRuntime } from "../../src/agent/runtime/container/container-runtime";
import { createGitRepo } from "../agent/support/git-fixture";
import { deployJob, quietReporter, recordEvents, type RecordedEvents } from "../agent/support/runtime-harness";
import { eventually, httpGet, openContainerFixture, type ContainerFixture } from "./support/container-fixture";

/**
 * The plan's disk limit on the container runtime, on real Podman (issue 11, "Run"): the writable
 * layer of an app's container is measured by checkDisk (the agent calls it every
 * AGENT_DISK_CHECK_SECONDS, src/agent/reporting/usage-reporter.ts), and an app over its limit is
 * stopped with a violation (src/agent/runtime/container/container-runtime.ts).
 *
 * The apps are the repository's own Dockerfile: a generated image runs with a read-only root, so
 * its only writable place is the /tmp tmpfs, which counts against memory, not the writable layer.
 * They write nothing to stdout: Podman 4.3 answers a followed log request only with a container's
 * first line, and the agent's attach once waited for that on the app's lock, so a silent app's
 * disk stop (and every later job of the app) waited forever.
 */
let fx: ContainerFixture;
const dir = mkdtempSync(path.join(os.tmpdir(), "wh-ct-disk-"));

beforeAll(async () => {
  fx = await openContainerFixture("disk");
}, 600_000);

afterAll(async () => {
  await fx?.cleanup();
  rmSync(dir, { recursive: true, force: true });
}, 180_000);

const DISK_MB = 20;
const limits = { cpu: 1, memoryMb: 256, pids: 128, diskMb: DISK_MB, bandwidthMbit: 0 };

/**
 * A silent app that answers "/" (503 until GET /ready when `waitForReady`) and on GET /fill writes
 * 50 MiB into /srv/data, a folder of its image's root file system (the container's writable layer).
 */
function diskFillerRepo(name: string, options: { waitForReady?: boolean } = {}) {
  const server = `const fs = require("node:fs");
let ready = ${options.waitForReady ? "false" : "true"};
require("node:http").createServer((q, s) => {
  if (q.url === "/ready") { ready = true; s.end("ready"); return; }
  if (q.url === "/fill") {
    const chunk = Buffer.alloc(1 << 20, 7);
    const fd = fs.openSync("/srv/data/fill.bin", "w");
    for (let i = 0; i < 50; i++) fs.writeSync(fd, chunk);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    s.end("filled");
    return;
  }
  s.statusCode = ready ? 200 : 503;
  s.end(ready ? "${name}" : "not yet");
}).listen(Number(process.env.PORT));`;
  return createGitRepo({
    // The app runs as the fixed unprivileged uid (the image names no USER): the folder is its own.
    Dockerfile: `FROM ${fx.baseImage}\nWORKDIR /srv\nRUN mkdir /srv/data && chown 10001:10001 /srv/data\nCOPY server.js .\nCMD ["node", "server.js"]\n`,
    "server.js": server,
  });
}

function makeRuntime(events: RecordedEvents, stateDir: string): ContainerRuntime {
  return new ContainerRuntime({
    engine: fx.engine,
    workerName: fx.workerName,
    stateDir,
    baseImage: fx.baseImage,
    allowLocalRepos: true,
    buildTimeoutMs: 300_000,
    startTimeoutMs: 60_000,
    crashBackoff: { initialMs: 500, maxMs: 4_000 },
    stopGraceSeconds: 2,
    drainMs: 0,
    events,
    log: pino({ level: "silent" }),
  });
}

const containerOf = async (appId: number) => {
  const [c] = await listAppContainers(fx.engine, { workerName: fx.workerName, appId });
  if (!c) throw new Error(`app ${appId} has no container`);
  return c;
};

describe("the plan's disk limit on the container runtime", { timeout: 600_000 }, () => {
  it("an app that writes past it into its writable layer is stopped by the worker, with a violation that says so", async () => {
    const events = recordEvents();
    const runtime = makeRuntime(events, mkdtempSync(path.join(dir, "runtime-")));
    await runtime.init();
    try {
      const r = quietReporter();
      const out = await runtime.execute(deployJob(9301, diskFillerRepo("filler").url, { limits }), r.reporter);
      expect(out, r.lines.join("\n")).toMatchObject({ ok: true });
      if (!out.ok) return;
      const port = out.port!;
      const container = await containerOf(9301);
      // Followed although it writes nothing: its stats come in (the attach got past the log request).
      await eventually(() => runtime.sampleUsage().find((x) => x.appId === 9301 && x.memBytes > 0), 30_000, "a stats sample of the silent app");

      // Under the limit: measured, left running.
      await runtime.checkDisk();
      expect(runtime.diskUsedMb()).toBeLessThan(DISK_MB);
      expect(events.violations).toEqual([]);
      expect((await httpGet(port)).body).toBe("filler");

      expect((await httpGet(port, "/fill")).body).toBe("filled");
      // Two checks at once (the agent's timer and another caller): one stop, one violation.
      await Promise.all([runtime.checkDisk(), runtime.checkDisk()]);

      const why = /^stopped by the worker: disk use 5\d MiB is over the plan's limit of 20 MiB$/;
      expect(events.violations).toHaveLength(1);
      expect(events.violations[0]).toEqual({ appId: 9301, reason: expect.stringMatching(why) });
      const reason = events.violations[0]!.reason;
      expect((await inspectContainer(fx.engine, container.id))?.State.Running).toBe(false);
      expect(events.statuses.filter((s) => s.appId === 9301 && s.status !== "running")).toEqual([expect.objectContaining({ status: "stopped", reason })]);
      expect(runtime.appStates()).toContainEqual({ appId: 9301, status: "stopped", reason, violation: reason });
      expect(runtime.diskUsedMb()).toBeGreaterThan(DISK_MB);
    } finally {
      await runtime.shutdown(true);
    }
  });

  it("a stop that waited for a redeploy leaves the container that replaced the measured one running", async () => {
    const events = recordEvents();
    const stateDir = mkdtempSync(path.join(dir, "runtime-"));
    const runtime = makeRuntime(events, stateDir);
    await runtime.init();
    try {
      const first = await runtime.execute({ ...deployJob(9302, diskFillerRepo("v1").url, { limits }), deployment_id: 93021 }, quietReporter().reporter);
      expect(first).toMatchObject({ ok: true });
      if (!first.ok) return;
      expect((await httpGet(first.port!, "/fill")).body).toBe("filled");

      // The redeploy holds the app's lock until its new container answers, which it does only after /ready.
      const messages: string[] = [];
      const lines: string[] = [];
      const redeploy = runtime.execute(
        { ...deployJob(9302, diskFillerRepo("v2", { waitForReady: true }).url, { limits }), deployment_id: 93022 },
        { progress: (_p, m) => messages.push(m), buildLog: (l) => lines.push(l) },
      );
      // Awaited below; handled here too, so a failed wait before that cannot leave it unhandled.
      redeploy.catch(() => undefined);
      const newPort = Number(
        (await eventually(() => messages.map((m) => /^Starting the new container on port (\d+)$/.exec(m)?.[1]).find(Boolean), 300_000, "the new container's port"))!,
      );
      expect((await eventually(() => httpGet(newPort), 60_000, "the new container answering")).status).toBe(503);

      // Measured over the limit while the redeploy runs: its stop queues behind the redeploy.
      const check = runtime.checkDisk();
      check.catch(() => undefined);
      await eventually(() => runtime.diskUsedMb() > DISK_MB, 60_000, "the old container measured");
      expect((await httpGet(newPort, "/ready")).body).toBe("ready");
      const second = await redeploy;
      expect(second, lines.join("\n")).toMatchObject({ ok: true, port: newPort });
      await check;

      // The container it measured was replaced meanwhile: no violation, and the new one serves.
      expect(events.violations).toEqual([]);
      expect(runtime.appStates()).toContainEqual({ appId: 9302, status: "running" });
      expect((await httpGet(newPort)).body).toBe("v2");
      const current = await eventually(async () => {
        const all = await listAppContainers(fx.engine, { workerName: fx.workerName, appId: 9302 });
        return all.length === 1 ? all[0] : null;
      }, 60_000, "the old container retired");
      expect((await inspectContainer(fx.engine, current.id))?.State.Running).toBe(true);
      // The record a restarted agent adopts is the new deployment's, still to run.
      expect((await new ContainerAppStore(stateDir).loadAll()).find((rec) => rec.appId === 9302)).toMatchObject({
        deploymentId: 93022,
        containerId: current.id,
        desired: "running",
        violation: null,
      });
    } finally {
      await runtime.shutdown(true);
    }
  });
});
