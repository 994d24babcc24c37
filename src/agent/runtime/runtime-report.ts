import { buildLimitsOf, type DeployPayload, type ResourceLimits } from "../../protocol/job-payload";
import type { RuntimeReport } from "../../protocol/runtime-report";

/**
 * What each runtime tells the hub about a started app (`job_result.runtime`,
 * src/protocol/runtime-report.ts): which limits hold and who enforces them, so the dashboard's
 * Runtime card says what is true on this worker rather than what the plan promises.
 */

/** The health check a deploy applies: the app's setting, its timeout capped by the worker's start timeout. */
export function effectiveHealthCheck(payload: Pick<DeployPayload, "healthCheck"> | null | undefined, workerStartTimeoutMs: number): { path: string; timeoutMs: number } {
  const setting = payload?.healthCheck;
  const timeoutMs = setting ? Math.min(setting.timeoutSeconds * 1000, workerStartTimeoutMs) : workerStartTimeoutMs;
  return { path: setting?.path || "/", timeoutMs };
}

function healthCheckReport(check: { path: string; timeoutMs: number }): RuntimeReport["health_check"] {
  return { path: check.path, timeout_seconds: Math.round(check.timeoutMs / 1000) };
}

function buildLimitsReport(payload: Pick<DeployPayload, "buildLimits">, buildTimeoutCeilingMs: number | undefined): NonNullable<RuntimeReport["build_limits"]> {
  const limits = buildLimitsOf(payload);
  const planMs = limits.timeoutSeconds * 1000;
  const timeoutMs = buildTimeoutCeilingMs ? Math.min(planMs, buildTimeoutCeilingMs) : planMs;
  return { memory_mb: limits.memoryMb, cpu: limits.cpu, timeout_seconds: Math.round(timeoutMs / 1000) };
}

/** The container runtime: memory, CPU and pids are cgroup limits of the engine; the writable layer is measured by the agent. */
export function containerRuntimeReport(input: {
  engine: string;
  image: string;
  imageSizeBytes: number | null;
  limits: ResourceLimits;
  /** The build's payload; absent when a start/restart or an image reuse built nothing. */
  built: Pick<DeployPayload, "buildLimits"> | null;
  buildTimeoutCeilingMs?: number;
  healthCheck: { path: string; timeoutMs: number };
}): RuntimeReport {
  return {
    kind: "container",
    engine: input.engine,
    image: input.image,
    ...(input.imageSizeBytes !== null ? { image_size_bytes: input.imageSizeBytes } : {}),
    limits: {
      memory_mb: { value: input.limits.memoryMb, enforced_by: "engine" },
      cpu: { value: input.limits.cpu, enforced_by: "engine" },
      pids: { value: input.limits.pids, enforced_by: "engine" },
      disk_mb: { value: input.limits.diskMb, enforced_by: "agent" },
    },
    ...(input.built ? { build_limits: buildLimitsReport(input.built, input.buildTimeoutCeilingMs) } : {}),
    health_check: healthCheckReport(input.healthCheck),
  };
}

/** Shown with every process-runtime app: there is no isolation, and what to install to get it. */
export const PROCESS_ISOLATION_NOTE =
  "Apps on this worker run as plain processes, not in containers: an app is not isolated from other apps or from the worker " +
  "(it can read their files and environment), and its CPU is not limited. Install Podman on the worker " +
  "(apt-get install podman runc iptables) and restart the agent with --runtime auto to run apps in containers.";

/** The process runtime: memory, processes and disk are measured by the agent (the app is stopped when over); CPU is not limited. */
export function processRuntimeReport(input: {
  limits: ResourceLimits;
  built: Pick<DeployPayload, "buildLimits"> | null;
  buildTimeoutCeilingMs?: number;
  healthCheck: { path: string; timeoutMs: number };
}): RuntimeReport {
  return {
    kind: "process",
    limits: {
      memory_mb: { value: input.limits.memoryMb, enforced_by: "agent" },
      cpu: { value: input.limits.cpu, enforced_by: "none" },
      pids: { value: input.limits.pids, enforced_by: "agent" },
      disk_mb: { value: input.limits.diskMb, enforced_by: "agent" },
    },
    ...(input.built ? { build_limits: buildLimitsReport(input.built, input.buildTimeoutCeilingMs) } : {}),
    health_check: healthCheckReport(input.healthCheck),
    isolation_note: PROCESS_ISOLATION_NOTE,
  };
}

/** Why a runtime stopped an app measured over its plan's disk limit (the violation event and the app's status). */
export function diskViolationMessage(bytes: number, limitMb: number): string {
  return `stopped by the worker: disk use ${Math.ceil(bytes / 1048576)} MiB is over the plan's limit of ${limitMb} MiB`;
}
