import { afterAll, describe, expect, it } from "vitest";
import { readProcessTable } from "../../src/agent/runtime/process/process-table";
import { DEFAULT_BUILD_LIMITS, deployPayloadSchema } from "../../src/protocol/job-payload";
import { planSummary } from "../../src/server/plans/plan-summary";
import { PlanRegistry } from "../../src/server/plans/plans";
import { createGitRepo, helloServer, nodeApp } from "./support/git-fixture";
import { createRuntime, deployJob, eventually, httpText, quietReporter, recordEvents, tempStateDir } from "./support/runtime-harness";

const state = tempStateDir();
const runtime = createRuntime(state.dir, recordEvents(), { buildTimeoutMs: undefined });

afterAll(async () => {
  await runtime.shutdown(true);
  state.cleanup();
});

describe("plans carry build limits", () => {
  it("each plan has build memory, CPU and time, configurable through PLANS_JSON, shown with the plan", () => {
    const plans = PlanRegistry.fromJson(JSON.stringify([{ id: "free", buildMemoryMb: 3072 }, { id: "team", buildTimeoutSeconds: 600 }]));
    expect(plans.for("free")).toMatchObject({ memoryMb: 512, buildMemoryMb: 3072, buildCpu: 2, buildTimeoutSeconds: 900 });
    expect(plans.for("team")).toMatchObject({ buildTimeoutSeconds: 600, buildMemoryMb: 2048 });
    expect(new PlanRegistry().for("free")).toMatchObject({ buildCpu: 2, buildMemoryMb: 2048, buildTimeoutSeconds: 900 });
    expect(planSummary(plans.for("free")).build).toEqual({ cpu: 2, memoryMb: 3072, timeoutSeconds: 900 });
    expect(() => PlanRegistry.fromJson(JSON.stringify([{ id: "free", buildMemoryMb: 0 }]))).toThrow(/PLANS_JSON: 0\.buildMemoryMb/);
  });

  it("a payload without buildLimits (an older control plane) is still valid and gets the defaults", () => {
    const { payload } = deployJob(1, "file:///x");
    const { buildLimits: _omit, ...old } = payload!;
    expect(deployPayloadSchema.parse(old).buildLimits).toBeUndefined();
    expect(DEFAULT_BUILD_LIMITS).toEqual({ cpu: 2, memoryMb: 2048, timeoutSeconds: 900 });
  });
});

// Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("process runtime: build limits", { timeout: 120_000 }, () => {
  it("prints the build limits at the top of the build log, separate from the app's, and pins the build to its CPUs", async () => {
    const repo = createGitRepo(nodeApp(helloServer, { build: `node -e "console.log('build sees cpus=' + require('os').availableParallelism())"` }));
    const { lines, reporter } = quietReporter();
    const result = await runtime.execute(deployJob(41, repo.url, { buildLimits: { cpu: 1, memoryMb: 1024, timeoutSeconds: 120 } }), reporter);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(lines[0]).toMatch(/^Build limits: memory 1024 MiB, CPU 1 \((pinned to CPU \d+|this worker has 1: not restricted)\), time 2 min; the app then runs with 512 MiB and 1 CPU$/);
    if (/pinned/.test(lines[0]!)) expect(lines).toContain("build sees cpus=1");
    expect(lines.some((l) => /^\(building: peak memory \d+ MiB of 1024 MiB\)$/.test(l))).toBe(true);
    if (result.ok) expect(await httpText(result.port!)).toBe("hello nobody");
  });

  it("a build over its memory limit is stopped, and the message says so", async () => {
    const hog = `node -e "const k=[]; for (let i = 0; i < 40; i++) k.push(Buffer.alloc(10*1024*1024, 1)); console.log('allocated'); setInterval(() => {}, 1000)"`;
    const repo = createGitRepo(nodeApp(helloServer, { build: hog }));
    const started = Date.now();
    const result = await runtime.execute(deployJob(42, repo.url, { buildLimits: { cpu: 2, memoryMb: 200, timeoutSeconds: 120 } }), quietReporter().reporter);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/^Building: `npm run build` used \d+ MiB of memory, over the plan's build memory limit of 200 MiB, and was stopped/);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("a build over its time limit has its whole process group killed, and the message names the plan's limit", async () => {
    const repo = createGitRepo(nodeApp(helloServer, { build: `node -e "console.log('wh-build-forever'); setInterval(() => {}, 1000)"` }));
    const started = Date.now();
    const result = await runtime.execute(deployJob(43, repo.url, { buildLimits: { cpu: 2, memoryMb: 1024, timeoutSeconds: 3 } }), quietReporter().reporter);
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/^Building: `npm run build` timed out: the build went over the plan's build time limit of 3 s and was stopped/) });
    expect(Date.now() - started).toBeLessThan(30_000);
    const { readFileSync } = await import("node:fs");
    await eventually(
      () => !readProcessTable().some((p) => {
        try {
          return readFileSync(`/proc/${p.pid}/cmdline`, "utf8").includes("wh-build-forever");
        } catch {
          return false;
        }
      }),
      10_000,
      "no process of the build left",
    );
  });

  it("the worker's ceiling (AGENT_BUILD_TIMEOUT_SECONDS) cuts a longer plan build time, and the message names it", async () => {
    const capped = createRuntime(state.dir + "-capped", recordEvents(), { buildTimeoutMs: 2_000 });
    try {
      const repo = createGitRepo(nodeApp(helloServer, { build: `node -e "setInterval(() => {}, 1000)"` }));
      const { lines, reporter } = quietReporter();
      const result = await capped.execute(deployJob(44, repo.url), reporter);
      expect(lines[0]).toContain("time 2 s (the plan allows 15 min; this worker caps builds at 2 s)");
      expect(result).toMatchObject({ ok: false, error: expect.stringContaining("this worker's build time limit of 2 s (AGENT_BUILD_TIMEOUT_SECONDS)") });
    } finally {
      await capped.shutdown(true);
    }
  });
});
