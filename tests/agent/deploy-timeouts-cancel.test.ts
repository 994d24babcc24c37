import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGitRepo, helloServer, nodeApp } from "./support/git-fixture";
import { createRuntime, deployJob, eventually, httpText, recordEvents, tempStateDir } from "./support/runtime-harness";

const state = tempStateDir();
const events = recordEvents();
const runtime = createRuntime(state.dir, events, { repoNetwork: { allowCidrs: "127.0.0.0/8" }, cloneTimeoutMs: 3_000, stepTimeoutMs: 60_000 });
const marks = mkdtempSync(path.join(os.tmpdir(), "wh-cancel-"));

/** A git server that accepts and never says a word. */
let silent: Server;
const sockets = new Set<Socket>();
let silentPort = 0;

beforeAll(async () => {
  silent = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
  silentPort = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  silent.close();
  await runtime.shutdown(true);
  state.cleanup();
  rmSync(marks, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function reporterWith(signal?: AbortSignal) {
  const lines: string[] = [];
  const progress: Array<{ p: number; m: string }> = [];
  return { lines, progress, reporter: { progress: (p: number, m: string) => progress.push({ p, m }), buildLog: (l: string) => lines.push(l), signal } };
}

describe("deploy timeouts and cancellation on the worker", { timeout: 180_000 }, () => {
  it("fails a clone from a repository that never answers within the clone timeout, saying so", async () => {
    const started = Date.now();
    const { reporter } = reporterWith();
    const outcome = await runtime.execute(deployJob(61, `https://127.0.0.1:${silentPort}/acme/shop.git`), reporter);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toMatch(/timed out after 3 s: the repository did not answer in time .*AGENT_CLONE_TIMEOUT_SECONDS/);
    // The clone's own limit ended it, long before the 120 s build budget (bound generous for a loaded machine).
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("a build step over the step timeout is stopped and named", async () => {
    const repo = createGitRepo(nodeApp(helloServer, { build: "node -e \"setInterval(() => {}, 1000)\"" }));
    const own = tempStateDir();
    const quick = createRuntime(own.dir, events, { stepTimeoutMs: 2_000 });
    const { reporter } = reporterWith();
    const outcome = await quick.execute(deployJob(62, repo.url), reporter).finally(async () => {
      await quick.shutdown(true);
      own.cleanup();
    });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error).toMatch(/^Building: .* timed out after 2 s, this worker's limit for one build step \(AGENT_STEP_TIMEOUT_SECONDS\)/);
  });

  it("Cancel mid-build kills the build step and keeps the previous release serving", async () => {
    const pidFile = path.join(marks, "build.pid");
    const sleeper = `require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); console.log("build is sleeping until cancelled"); setInterval(() => {}, 1000);`;
    const repo = createGitRepo({ ...nodeApp(helloServer, { build: "node sleep-build.js" }), "sleep-build.js": sleeper });
    // A first release without the sleeping build, so there is something to keep serving.
    const first = await runtime.execute(deployJob(63, repo.url, { env: { WHO: "previous" }, buildSettings: { kind: "auto", installCommand: "", buildCommand: "true", startCommand: "", rootDirectory: "" } }), reporterWith().reporter);
    expect(first.ok, JSON.stringify(first)).toBe(true);
    if (!first.ok) return;

    const controller = new AbortController();
    const { lines, reporter } = reporterWith(controller.signal);
    const running = runtime.execute(deployJob(63, repo.url, { env: { WHO: "cancelled" } }), reporter);
    await eventually(() => lines.some((l) => l.includes("build is sleeping until cancelled")) && existsSync(pidFile), 90_000, "the build step to start");
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(alive(pid)).toBe(true);
    controller.abort();
    const outcome = await running;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error).toBe("cancelled while building");
    await eventually(() => !alive(pid), 15_000, "the build process to be gone");
    expect(await httpText(first.port!)).toBe("hello previous");
    expect(runtime.appStates().find((s) => s.appId === 63)?.status).toBe("running");
  });
});
