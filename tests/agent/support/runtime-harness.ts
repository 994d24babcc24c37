import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import type { DeployPayload, JobFrame } from "../../../src/protocol/job-payload";
import { ProcessRuntime } from "../../../src/agent/runtime/process/process-runtime";
import type { RuntimeEvents } from "../../../src/agent/runtime/app-runtime";

export interface RecordedEvents extends RuntimeEvents {
  statuses: Array<{ appId: number; status: string; reason?: string; at: number }>;
  violations: Array<{ appId: number; reason: string }>;
  logs: Array<{ appId: number; stream: string; line: string }>;
}

export function recordEvents(): RecordedEvents {
  const rec: RecordedEvents = {
    statuses: [],
    violations: [],
    logs: [],
    appStatus: (appId, status, reason) => rec.statuses.push({ appId, status, reason, at: Date.now() }),
    violation: (appId, reason) => rec.violations.push({ appId, reason }),
    log: (appId, stream, line) => rec.logs.push({ appId, stream, line }),
  };
  return rec;
}

export function tempStateDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wh-agent-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function createRuntime(stateDir: string, events: RuntimeEvents, overrides: Partial<ConstructorParameters<typeof ProcessRuntime>[0]> = {}) {
  return new ProcessRuntime({
    stateDir,
    allowLocalRepos: true,
    buildTimeoutMs: 120_000,
    startTimeoutMs: 15_000,
    crashBackoff: { initialMs: 500, maxMs: 4_000 },
    events,
    log: pino({ level: "silent" }),
    ...overrides,
  });
}

let nextJob = 1;
export function deployJob(appId: number, repoUrl: string, overrides: Partial<DeployPayload> = {}): JobFrame {
  return {
    job_id: nextJob++,
    type: "deploy",
    app_id: appId,
    app_uuid: `00000000-0000-4000-8000-${String(appId).padStart(12, "0")}`,
    app_name: `app-${appId}`,
    deployment_id: 1000 + appId,
    payload: {
      repoUrl,
      branch: "main",
      commitSha: "",
      buildSettings: { kind: "auto", installCommand: "", buildCommand: "", startCommand: "", rootDirectory: "" },
      env: {},
      internalPort: 8080,
      limits: { cpu: 1, memoryMb: 512, pids: 256, diskMb: 512, bandwidthMbit: 0 },
      subdomain: `app-${appId}`,
      domains: [],
      ...overrides,
    },
  };
}

export function controlJob(appId: number, type: "restart" | "start" | "stop" | "delete"): JobFrame {
  return { job_id: nextJob++, type, app_id: appId, app_uuid: "x", app_name: `app-${appId}`, deployment_id: null, payload: null };
}

export const quietReporter = () => {
  const progress: number[] = [];
  const lines: string[] = [];
  return { progress, lines, reporter: { progress: (p: number) => progress.push(p), buildLog: (l: string) => lines.push(l) } };
};

/** Polls until `check` returns a truthy value or the deadline passes. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 30_000, what = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

export async function httpText(port: number, pathName = "/"): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}${pathName}`, { signal: AbortSignal.timeout(10_000) });
  return res.text();
}
