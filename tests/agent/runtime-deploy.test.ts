import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureSampleRepository } from "../../src/sample-repo/ensure-sample-repository";
import { createGitRepo, helloServer, nodeApp } from "./support/git-fixture";
import { controlJob, createRuntime, deployJob, eventually, httpText, quietReporter, recordEvents, tempStateDir } from "./support/runtime-harness";

const state = tempStateDir();
const events = recordEvents();
const runtime = createRuntime(state.dir, events);

afterAll(async () => {
  await runtime.shutdown(true);
  state.cleanup();
});

// Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("process runtime: deploy and lifecycle from a real git repository", { timeout: 180_000 }, () => {
  it("deploys the sample app, reports progress and commit identity, and the app answers", async () => {
    const url = await ensureSampleRepository(path.join(state.dir, "sample-repo"));
    const { progress, lines, reporter } = quietReporter();
    const result = await runtime.execute(deployJob(1, url, { env: { GREETING: "Hi there" } }), reporter);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    expect(result.commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(result.commitMessage).toBe("Sample app: first release");
    expect(progress[0]).toBeLessThan(progress.at(-1)!);
    expect(lines.some((l) => l.includes("git clone"))).toBe(true);
    expect(await httpText(result.port!)).toContain("Hi there");
    expect(JSON.parse(await httpText(result.port!, "/health")).status).toBe("ok");
    expect(runtime.appStates().find((s) => s.appId === 1)?.status).toBe("running");
    // Inside a job the job_result announces the state; no app_status may race ahead of it.
    expect(events.statuses.filter((s) => s.appId === 1)).toEqual([]);
    // The app's stdout reaches the runtime log stream.
    await eventually(() => events.logs.some((l) => l.appId === 1 && l.line.includes("listening on port")), 10_000, "runtime log line");
  });

  it("measures CPU and memory of the app's process tree from /proc", async () => {
    runtime.sampleUsage();
    const sample = await eventually(() => {
      const s = runtime.sampleUsage().find((x) => x.appId === 1);
      return s && s.memBytes > 0 ? s : null;
    });
    // npm + node: more than one process, tens of MiB resident.
    expect(sample.processCount).toBeGreaterThanOrEqual(2);
    expect(sample.memBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample.memLimitBytes).toBe(512 * 1024 * 1024);
  });

  it("redeploys a new commit with zero downtime and removes the old release", async () => {
    const repo = createGitRepo(nodeApp(helloServer));
    const first = await runtime.execute(deployJob(2, repo.url, { env: { WHO: "first" } }), quietReporter().reporter);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(await httpText(first.port!)).toBe("hello first");
    const second = await runtime.execute(deployJob(2, repo.url, { env: { WHO: "second" }, commitSha: repo.sha }), quietReporter().reporter);
    expect(second.ok).toBe(true);
    if (!second.ok) return;
    expect(await httpText(second.port!)).toBe("hello second");
    await expect(httpText(first.port!)).rejects.toThrow();
    const releases = path.join(state.dir, "apps", "2", "releases");
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(releases)).toHaveLength(1);
  });

  it("stops, starts, restarts and deletes an app", async () => {
    const repo = createGitRepo(nodeApp(helloServer));
    const deployed = await runtime.execute(deployJob(3, repo.url), quietReporter().reporter);
    if (!deployed.ok) throw new Error(deployed.error);
    const stopped = await runtime.execute(controlJob(3, "stop"), quietReporter().reporter);
    expect(stopped.ok).toBe(true);
    await expect(httpText(deployed.port!)).rejects.toThrow();
    expect(runtime.appStates().find((s) => s.appId === 3)?.status).toBe("stopped");

    const started = await runtime.execute(controlJob(3, "start"), quietReporter().reporter);
    if (!started.ok) throw new Error(started.error);
    // A port taken while the app was down is given up for a free one (process/app-supervisor.ts).
    expect(await httpText(started.port!)).toBe("hello nobody");

    const restarted = await runtime.execute(controlJob(3, "restart"), quietReporter().reporter);
    if (!restarted.ok) throw new Error(restarted.error);
    expect(restarted.containerId).not.toBe(started.containerId);
    expect(await httpText(restarted.port!)).toBe("hello nobody");

    const deleted = await runtime.execute(controlJob(3, "delete"), quietReporter().reporter);
    expect(deleted.ok).toBe(true);
    await expect(httpText(restarted.port!)).rejects.toThrow();
    expect(existsSync(path.join(state.dir, "apps", "3"))).toBe(false);
    expect(runtime.appStates().some((s) => s.appId === 3)).toBe(false);
  });

  it("serves a static site with the built-in server", async () => {
    const repo = createGitRepo({ "index.html": "<h1>static works</h1>", "about/index.html": "about page" });
    const result = await runtime.execute(deployJob(4, repo.url), quietReporter().reporter);
    if (!result.ok) throw new Error(result.error);
    expect(await httpText(result.port!)).toContain("static works");
    expect(await httpText(result.port!, "/about/")).toBe("about page");
    expect(await httpText(result.port!, "/../../etc/passwd")).not.toContain("root:");
  });

  it("refuses to start a restart for an app never deployed here", async () => {
    const result = await runtime.execute(controlJob(99, "restart"), quietReporter().reporter);
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("deploy it first") });
  });
});
