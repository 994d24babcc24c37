import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crashLoopServer, createGitRepo, helloServer, memoryHogServer, nodeApp } from "./support/git-fixture";
import { readProcessTable } from "../../src/agent/runtime/process/process-table";
import { createRuntime, deployJob, eventually, httpText, quietReporter, recordEvents, tempStateDir } from "./support/runtime-harness";

const state = tempStateDir();
const events = recordEvents();
const runtime = createRuntime(state.dir, events, { startTimeoutMs: 3_000 });

const cleanupAfter: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const c of cleanupAfter) await c().catch(() => undefined);
  await runtime.shutdown(true);
  state.cleanup();
});

// Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("process runtime: bad input and faults", { timeout: 180_000 }, () => {
  it("a repository whose build fails → failed with the log tail", async () => {
    const repo = createGitRepo(nodeApp(helloServer, { build: `node -e "console.error('compile error: missing semicolon'); process.exit(3)"` }));
    const { lines, reporter } = quietReporter();
    const result = await runtime.execute(deployJob(11, repo.url), reporter);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/Building: `npm run build` failed with exit code 3/);
    expect(result.logs).toContain("compile error: missing semicolon");
    expect(lines.join("\n")).toContain("compile error: missing semicolon");
    expect(runtime.appStates().some((s) => s.appId === 11)).toBe(false);
    expect(existsSync(path.join(state.dir, "apps", "11"))).toBe(false);
  });

  it("an app that never opens its port → timeout failure with its output", async () => {
    const repo = createGitRepo(nodeApp(`console.log("warming up forever"); setInterval(() => {}, 1000);`));
    const started = Date.now();
    const result = await runtime.execute(deployJob(12, repo.url), quietReporter().reporter);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/did not answer on port \d+ within 3 s \(timeout\)/);
    expect(result.logs).toContain("warming up forever");
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
  });

  it("an app that exits before answering → failed at once, not after the timeout", async () => {
    const repo = createGitRepo(nodeApp(`console.error("fatal: DATABASE_URL missing"); process.exit(1);`));
    const result = await runtime.execute(deployJob(13, repo.url), quietReporter().reporter);
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("exited before it answered") });
    expect(!result.ok && result.logs).toContain("DATABASE_URL missing");
  });

  it("refuses file:// repositories when local repositories are disabled, and option-like refs", async () => {
    const strict = createRuntime(state.dir + "-strict", recordEvents(), { allowLocalRepos: false });
    const repo = createGitRepo(nodeApp(helloServer));
    const local = await strict.execute(deployJob(14, repo.url), quietReporter().reporter);
    expect(local).toMatchObject({ ok: false, error: expect.stringContaining("file:// repositories are disabled") });
    const badRef = await runtime.execute(deployJob(15, repo.url, { branch: "--upload-pack=touch /tmp/pwned" }), quietReporter().reporter);
    expect(badRef).toMatchObject({ ok: false, error: expect.stringContaining("not a valid git branch") });
    const shell = await runtime.execute(deployJob(16, repo.url, { buildSettings: { kind: "auto", installCommand: "", buildCommand: "npm test && rm -rf /", startCommand: "", rootDirectory: "" } }), quietReporter().reporter);
    expect(shell).toMatchObject({ ok: false, error: expect.stringContaining("without a shell") });
  });

  it("an app that keeps exiting at once → crash reports with growing backoff, no busy loop", async () => {
    const repo = createGitRepo(nodeApp(crashLoopServer));
    const result = await runtime.execute(deployJob(17, repo.url), quietReporter().reporter);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const crashes = () => events.statuses.filter((s) => s.appId === 17 && s.status === "crashed");
    await eventually(() => crashes().length >= 4, 30_000, "four crash reports");
    const delays = crashes().map((c) => Number(/restarting in (\d+) s/.exec(c.reason ?? "")?.[1]));
    // Backoff 0.5 s, 1 s, 2 s, 4 s (±20 % jitter, shown rounded up to whole seconds, min 1).
    expect(delays[0]).toBeLessThanOrEqual(1);
    expect(delays[3]).toBeGreaterThanOrEqual(3);
    const window = crashes().at(-1)!.at - crashes()[0]!.at;
    // Four crashes take at least the sum of three backoff delays (0.4 + 0.8 + 1.6 s at minimum jitter).
    expect(window).toBeGreaterThanOrEqual(2_800);
    expect(crashes().length).toBeLessThan(12);
    expect(runtime.appStates().find((s) => s.appId === 17)?.status).toBe("crashed");
    await runtime.execute({ ...deployJob(17, repo.url), type: "stop", payload: null }, quietReporter().reporter);
    const settled = crashes().length;
    // The stop job has finished; this window gives a restart the supervisor wrongly kept scheduled
    // time to crash again (it can fail only if one does).
    await new Promise((r) => setTimeout(r, 2_500));
    expect(crashes().length).toBe(settled);
  });

  it("an app over its plan's memory limit is stopped and reported as a violation", async () => {
    const repo = createGitRepo(nodeApp(memoryHogServer));
    const result = await runtime.execute(
      deployJob(18, repo.url, { limits: { cpu: 1, memoryMb: 200, pids: 64, diskMb: 512, bandwidthMbit: 0 } }),
      quietReporter().reporter,
    );
    if (!result.ok) throw new Error(result.error);
    runtime.sampleUsage();
    expect(events.violations.filter((v) => v.appId === 18)).toHaveLength(0);
    await httpText(result.port!, "/grow").catch(() => undefined);
    await eventually(() => {
      runtime.sampleUsage();
      return events.violations.some((v) => v.appId === 18);
    }, 15_000, "a memory violation");
    expect(events.violations.find((v) => v.appId === 18)?.reason).toMatch(/memory \d+ MiB is over the plan's limit of 200 MiB/);
    await eventually(() => runtime.appStates().find((s) => s.appId === 18)?.status === "stopped", 15_000, "the app stopped");
    await expect(httpText(result.port!)).rejects.toThrow();
  });

  it("an app that fills its disk past the plan's limit is stopped and reported as a violation", async () => {
    const filler = `
      require("node:http").createServer((q, s) => {
        if (q.url === "/fill") require("node:fs").writeFileSync(process.env.HOME + "/big.bin", Buffer.alloc(3 * 1024 * 1024, 1));
        s.end("ok");
      }).listen(Number(process.env.PORT));`;
    const repo = createGitRepo(nodeApp(filler));
    const result = await runtime.execute(
      deployJob(19, repo.url, { limits: { cpu: 1, memoryMb: 512, pids: 64, diskMb: 2, bandwidthMbit: 0 } }),
      quietReporter().reporter,
    );
    if (!result.ok) throw new Error(result.error);
    await runtime.checkDisk();
    expect(events.violations.filter((v) => v.appId === 19)).toHaveLength(0);
    await httpText(result.port!, "/fill");
    await runtime.checkDisk();
    expect(events.violations.find((v) => v.appId === 19)?.reason).toMatch(/disk use \d+ MiB is over the plan's limit of 2 MiB/);
    expect(runtime.appStates().find((s) => s.appId === 19)).toMatchObject({ status: "stopped", violation: expect.stringContaining("disk use") });
    await expect(httpText(result.port!)).rejects.toThrow();
  });

  it("an agent stopping mid-build ends the build step (its whole process group) instead of waiting for it", async () => {
    const buildState = tempStateDir();
    const stopping = createRuntime(buildState.dir, recordEvents());
    const repo = createGitRepo(nodeApp(helloServer, { build: `node -e "setTimeout(() => {}, 120000)"` }));
    const job = deployJob(31, repo.url);
    const pending = stopping.execute(job, quietReporter().reporter);
    const marker = path.join(buildState.dir, "apps", "31", "releases", `job-${job.job_id}`, "build-process.json");
    const { pid } = await eventually(() => JSON.parse(readFileSync(marker, "utf8")) as { pid: number }, 60_000, "build running");
    const started = Date.now();
    await stopping.shutdown(true);
    const result = await pending;
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("signal SIGKILL") });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(readProcessTable().some((p) => p.pgrp === pid && p.state !== "Z")).toBe(false);
    buildState.cleanup();
  });

  it("apps survive an agent restart: a new runtime adopts them, and restarts one that died meanwhile", async () => {
    const repo = createGitRepo(nodeApp(helloServer));
    const adoptState = tempStateDir();
    const first = createRuntime(adoptState.dir, recordEvents());
    const a = await first.execute(deployJob(21, repo.url), quietReporter().reporter);
    const b = await first.execute(deployJob(22, repo.url), quietReporter().reporter);
    if (!a.ok || !b.ok) throw new Error("deploys failed");
    await first.shutdown(false);
    // The agent is gone; app 22 dies while nobody watches.
    process.kill(-Number(b.containerId!.slice(4)), "SIGKILL");
    await eventually(async () => !(await httpText(b.port!).then(() => true, () => false)), 10_000, "app 22 down");

    // A deploy cut short by an agent crash leaves directories no app refers to.
    const orphanApp = path.join(adoptState.dir, "apps", "77", "releases", "job-9", "src");
    const orphanRelease = path.join(adoptState.dir, "apps", "21", "releases", "job-999", "src");
    mkdirSync(orphanApp, { recursive: true });
    mkdirSync(orphanRelease, { recursive: true });
    const secondEvents = recordEvents();
    const second = createRuntime(adoptState.dir, secondEvents);
    cleanupAfter.push(() => second.shutdown(true));
    await second.init();
    expect(await httpText(a.port!)).toBe("hello nobody");
    expect(second.appStates().find((s) => s.appId === 21)?.status).toBe("running");
    expect(existsSync(path.join(adoptState.dir, "apps", "77"))).toBe(false);
    expect(existsSync(path.dirname(orphanRelease))).toBe(false);
    expect(existsSync(path.join(adoptState.dir, "apps", "21", "app.json"))).toBe(true);
    await eventually(() => httpText(b.port!).then((t) => t === "hello nobody"), 15_000, "app 22 restarted");
    await eventually(() => second.appStates().find((s) => s.appId === 22)?.status === "running", 15_000, "app 22 running");
    // The adopted process is watched: killing it now is noticed and restarted.
    process.kill(-Number(a.containerId!.slice(4)), "SIGKILL");
    await eventually(() => secondEvents.statuses.some((s) => s.appId === 21 && s.status === "crashed"), 10_000, "crash noticed");
    await eventually(() => httpText(a.port!).then((t) => t === "hello nobody"), 15_000, "app 21 restarted");
    adoptState.cleanup();
  });
});
