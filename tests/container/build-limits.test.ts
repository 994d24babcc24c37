import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerRuntime } from "../../src/agent/runtime/container/container-runtime";
import { createGitRepo, nodeApp } from "../agent/support/git-fixture";
import { deployJob, quietReporter, recordEvents } from "../agent/support/runtime-harness";
import { httpGet, openContainerFixture, type ContainerFixture } from "./support/container-fixture";

/**
 * Build limits on the container runtime, on real Podman (issue 18 item 2: a build runs under the
 * plan's build CPU and memory, separate from what the app then runs with; the process runtime's
 * side is tests/agent/build-limits.test.ts, build memory's enforcement tests/container/image-build.test.ts).
 * The build step and the app each print the CPU quota and memory limit of their own cgroup, as
 * the kernel holds them (cgroup v1 here, v2 elsewhere).
 */
let fx: ContainerFixture;
const dir = mkdtempSync(path.join(os.tmpdir(), "wh-ct-build-limits-"));

beforeAll(async () => {
  fx = await openContainerFixture("build-limits");
}, 600_000);

afterAll(async () => {
  await fx?.cleanup();
  rmSync(dir, { recursive: true, force: true });
}, 180_000);

/** "cpu <quota> <period> memory <bytes>" of the calling process's cgroup. */
const cgroupProbe = `const fs = require("node:fs");
const read = (...paths) => { for (const p of paths) { try { return fs.readFileSync(p, "utf8").trim(); } catch {} } return "?"; };
module.exports = () => {
  const v2 = read("/sys/fs/cgroup/cpu.max");
  const cpu = v2 !== "?" ? v2 : read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us") + " " + read("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us");
  const memory = v2 !== "?" ? read("/sys/fs/cgroup/memory.max") : read("/sys/fs/cgroup/memory/memory.limit_in_bytes");
  return "cpu " + cpu + " memory " + memory;
};`;

describe("container builds run under the plan's build limits", { timeout: 600_000 }, () => {
  it("a build step gets the build CPU quota and memory, and the app then runs with its own", async () => {
    const runtime = new ContainerRuntime({
      engine: fx.engine,
      workerName: fx.workerName,
      stateDir: mkdtempSync(path.join(dir, "runtime-")),
      baseImage: fx.baseImage,
      allowLocalRepos: true,
      startTimeoutMs: 60_000,
      crashBackoff: { initialMs: 500, maxMs: 4_000 },
      stopGraceSeconds: 2,
      drainMs: 0,
      events: recordEvents(),
      log: pino({ level: "silent" }),
    });
    await runtime.init();
    try {
      const repo = createGitRepo({
        ...nodeApp(`const probe = require("./cgroup-probe.js"); require("node:http").createServer((q, s) => s.end(probe())).listen(Number(process.env.PORT));`, {
          build: `node -e "console.log('build step cgroup: ' + require('./cgroup-probe.js')())"`,
        }),
        "cgroup-probe.js": cgroupProbe,
      });
      const r = quietReporter();
      const out = await runtime.execute(
        deployJob(9401, repo.url, {
          buildLimits: { cpu: 0.5, memoryMb: 384, timeoutSeconds: 300 },
          limits: { cpu: 1.5, memoryMb: 256, pids: 128, diskMb: 512, bandwidthMbit: 0 },
        }),
        r.reporter,
      );
      expect(out, r.lines.join("\n")).toMatchObject({ ok: true });
      if (!out.ok) return;
      expect(r.lines[0]).toBe("Build limits: memory 384 MiB, 0.5 CPU, time 300 s; the app then runs with 256 MiB and 1.5 CPU");
      // Only the step's own output line is exactly this (the step's echo holds the command).
      expect(r.lines.map((l) => l.trim())).toContain(`build step cgroup: cpu 50000 100000 memory ${384 * 1048576}`);
      expect((await httpGet(out.port!)).body).toBe(`cpu 150000 100000 memory ${256 * 1048576}`);
    } finally {
      await runtime.shutdown(true);
    }
  });
});
