import { readFileSync } from "node:fs";
import os from "node:os";
import { buildLimitsOf, type DeployPayload } from "../../../protocol/job-payload";
import { commandOnPath } from "./build-env";
import { appMembers, readProcessTable } from "./process-table";

/** The limits one build runs under on this worker. */
export interface EffectiveBuildLimits {
  cpu: number;
  memoryMb: number;
  timeoutMs: number;
  /** The plan's build time when the worker's ceiling (AGENT_BUILD_TIMEOUT_SECONDS) cut it. */
  planTimeoutMs?: number;
}

export function effectiveBuildLimits(payload: Pick<DeployPayload, "buildLimits">, workerCeilingMs?: number): EffectiveBuildLimits {
  const plan = buildLimitsOf(payload);
  const planTimeoutMs = plan.timeoutSeconds * 1000;
  if (workerCeilingMs !== undefined && workerCeilingMs < planTimeoutMs) {
    return { cpu: plan.cpu, memoryMb: plan.memoryMb, timeoutMs: workerCeilingMs, planTimeoutMs };
  }
  return { cpu: plan.cpu, memoryMb: plan.memoryMb, timeoutMs: planTimeoutMs };
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = seconds / 60;
  return Number.isInteger(minutes) ? `${minutes} min` : `${Math.floor(minutes)} min ${seconds % 60} s`;
}

/** CPUs this agent may run on (its affinity), from /proc/self/status. */
function allowedCpus(): number[] {
  try {
    const list = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? "";
    const cpus: number[] = [];
    for (const part of list.split(",")) {
      const [a, b] = part.split("-").map(Number);
      if (a === undefined || !Number.isInteger(a)) continue;
      for (let c = a; c <= (Number.isInteger(b) ? b! : a); c++) cpus.push(c);
    }
    return cpus;
  } catch {
    return [];
  }
}

/**
 * How the build's CPU limit is applied without cgroups: the step starts under `taskset`, pinned
 * to as many CPUs as the plan gives (rounded up), which its children inherit and which tools that
 * size their worker pools by the CPUs they see (os.availableParallelism) follow. A build may widen
 * its own affinity again; only a container engine enforces CPU for real. Empty when the limit is
 * at least the CPUs available, or taskset is missing.
 */
export function cpuPinning(cpu: number, pathVar: string): { prefix: string[]; note: string } {
  const cpus = allowedCpus();
  const want = Math.max(1, Math.ceil(cpu));
  const available = cpus.length || os.availableParallelism();
  if (want >= available) return { prefix: [], note: `CPU ${cpu} (this worker has ${available}: not restricted)` };
  if (!commandOnPath("taskset", pathVar)) return { prefix: [], note: `CPU ${cpu} (not enforced: taskset is not installed)` };
  const chosen = cpus.slice(0, want);
  return { prefix: ["taskset", "--cpu-list", chosen.join(",")], note: `CPU ${cpu} (pinned to CPU ${chosen.join(",")})` };
}

/**
 * Watches one build step's process tree (its group and every descendant) and kills the group when
 * its resident memory, summed over the tree, passes the limit. Resident memory is what the
 * process runtime can see and enforce: address-space limits (ulimit -v) break Node, which
 * reserves far more than it uses.
 */
export class BuildMemoryWatch {
  private timer: NodeJS.Timeout | null = null;
  private pid = 0;
  peakBytes = 0;
  /** Set once the step was killed for its memory: the bytes seen then. */
  exceededBytes: number | null = null;

  constructor(
    private readonly limitBytes: number,
    private readonly intervalMs = 500,
  ) {}

  start(pid: number): void {
    this.pid = pid;
    this.check();
    this.timer = setInterval(() => this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private check(): void {
    if (!this.pid || this.exceededBytes !== null) return;
    const members = appMembers(readProcessTable(), this.pid, this.pid);
    const rss = members.reduce((sum, p) => sum + p.rssBytes, 0);
    if (rss > this.peakBytes) this.peakBytes = rss;
    if (rss > this.limitBytes) {
      this.exceededBytes = rss;
      try {
        process.kill(-this.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
      // A member that left the group (setsid) is still part of the build.
      for (const p of members) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      this.stop();
    }
  }
}
