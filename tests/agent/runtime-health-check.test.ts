import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runtimeReportSchema } from "../../src/protocol/runtime-report";
import { PROCESS_ISOLATION_NOTE } from "../../src/agent/runtime/runtime-report";
import { createGitRepo, nodeApp } from "./support/git-fixture";
import { controlJob, createRuntime, deployJob, httpText, quietReporter, recordEvents, tempStateDir } from "./support/runtime-harness";

const state = tempStateDir();
const events = recordEvents();
// The worker's own start timeout (15 s) caps the app's health-check timeout.
const runtime = createRuntime(state.dir, events, { startTimeoutMs: 15_000 });

afterAll(async () => {
  await runtime.shutdown(true);
  state.cleanup();
});

/** 404 on every path but /healthz, which answers with HEALTH (default 200). */
const healthServer = `require("node:http").createServer((q, s) => {
  if (q.url === "/healthz") { s.statusCode = Number(process.env.HEALTH || 200); s.end("health"); return; }
  s.statusCode = 404; s.end("not here");
}).listen(Number(process.env.PORT));`;

describe("process runtime: health-check settings, Dockerfile apps and the runtime report", { timeout: 180_000 }, () => {
  it("refuses a Dockerfile app before cloning, saying a container engine is needed and what to install", async () => {
    const { lines, reporter } = quietReporter();
    const result = await runtime.execute(
      deployJob(41, "file:///nonexistent/never-cloned.git", { buildSettings: { kind: "dockerfile", dockerfilePath: "Dockerfile", installCommand: "", buildCommand: "", startCommand: "", rootDirectory: "" } }),
      reporter,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/^this worker runs apps as processes; Dockerfile apps need a container engine: install Podman/);
    expect(result.error).toContain("apt-get install podman runc iptables");
    expect(lines.some((l) => l.includes("git clone"))).toBe(false);
    expect(runtime.appStates().find((s) => s.appId === 41)).toBeUndefined();
  });

  it("gates the swap on GET <path> answering 2xx/3xx and reports how the app runs", async () => {
    const repo = createGitRepo(nodeApp(healthServer));
    const result = await runtime.execute(deployJob(42, repo.url, { healthCheck: { path: "/healthz", timeoutSeconds: 120 } }), quietReporter().reporter);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    expect(await httpText(result.port!, "/healthz")).toBe("health");
    const report = runtimeReportSchema.parse(result.runtime);
    expect(report).toEqual({
      kind: "process",
      limits: {
        memory_mb: { value: 512, enforced_by: "agent" },
        cpu: { value: 1, enforced_by: "none" },
        pids: { value: 256, enforced_by: "agent" },
        disk_mb: { value: 512, enforced_by: "agent" },
      },
      build_limits: { memory_mb: 2048, cpu: 2, timeout_seconds: 120 },
      // 120 s asked, 15 s is the worker's limit.
      health_check: { path: "/healthz", timeout_seconds: 15 },
      isolation_note: PROCESS_ISOLATION_NOTE,
    });

    // A restart checks the same path (kept with the release) and reports no build.
    const restarted = await runtime.execute(controlJob(42, "restart"), quietReporter().reporter);
    expect(restarted.ok, JSON.stringify(restarted)).toBe(true);
    if (!restarted.ok) return;
    expect(restarted.runtime).toMatchObject({ kind: "process", health_check: { path: "/healthz", timeout_seconds: 15 } });
    expect(restarted.runtime).not.toHaveProperty("build_limits");
  });

  it("fails a deploy whose health path never answers 2xx/3xx, naming the path, and keeps the serving version", async () => {
    const repo = createGitRepo(nodeApp(healthServer));
    const first = await runtime.execute(deployJob(43, repo.url, { healthCheck: { path: "/healthz", timeoutSeconds: 30 } }), quietReporter().reporter);
    expect(first.ok, JSON.stringify(first)).toBe(true);
    if (!first.ok) return;
    const failed = await runtime.execute(deployJob(43, repo.url, { env: { HEALTH: "503" }, healthCheck: { path: "/healthz", timeoutSeconds: 3 } }), quietReporter().reporter);
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.error).toContain("did not answer its health check GET /healthz with a 2xx/3xx within 3 s");
    expect(await httpText(first.port!, "/healthz")).toBe("health");
    expect(readdirSync(path.join(state.dir, "apps", "43", "releases"))).toHaveLength(1);
  });
});
