import { classifyRegistryFailure, corepackFailure } from "../registry-failure";
import { JobCancelledError, throwIfCancelled } from "../job-cancelled";
import { runCommand } from "../run-command";
import { BuildMemoryWatch, formatDuration, type EffectiveBuildLimits } from "./build-limits";
import { recordBuildProcess } from "./build-process-marker";

/** A failure whose message is meant for the app's owner. */
export class BuildError extends Error {
  override name = "BuildError";
}

/** Output kept per step for reading why it failed (registry problems show near the end). */
const KEPT_LINES = 400;

export interface BuildBudget {
  limits: EffectiveBuildLimits;
  /** Date.now() when the build's time is up. */
  deadline: number;
  /** `taskset` prefix applying the CPU limit (build-limits.ts cpuPinning), or empty. */
  cpuPrefix: string[];
  /** The registry the build uses, for registry failure messages. */
  registry: string;
  /** Each step's own limit within the deadline (AGENT_STEP_TIMEOUT_SECONDS). */
  stepTimeoutMs?: number;
  /** Aborted when the job is cancelled: the running step's process group is killed. */
  signal?: AbortSignal;
}

export interface StepRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  label: string;
  releaseDir: string;
  budget: BuildBudget;
  buildLog(line: string): void;
  /** Read the output for registry problems when the step fails (install steps). */
  usesRegistry?: boolean;
}

/** Peak resident memory of the step, MiB. */
export interface StepResult {
  peakMb: number;
}

/**
 * Runs one build step inside the build's limits: the time left of the build's budget (the step's
 * process group is killed when it runs out), its memory (the tree is killed over the limit) and
 * its CPU pinning. A failure becomes a BuildError that says which limit was hit, or what kept the
 * registry out of reach and which worker setting fixes it.
 */
export async function runBuildStep(req: StepRequest): Promise<StepResult> {
  const { budget } = req;
  const command = `\`${req.argv.join(" ")}\``;
  const remaining = budget.deadline - Date.now();
  if (remaining <= 0) throw new BuildError(timeMessage(req.label, command, budget));
  throwIfCancelled(budget.signal, `before ${req.label.toLowerCase()}`);
  const stepLimited = budget.stepTimeoutMs !== undefined && budget.stepTimeoutMs < remaining;
  const kept: string[] = [];
  const watch = new BuildMemoryWatch(budget.limits.memoryMb * 1024 * 1024);
  let result;
  try {
    result = await runCommand({
      argv: [...budget.cpuPrefix, ...req.argv],
      cwd: req.cwd,
      env: req.env,
      timeoutMs: stepLimited ? budget.stepTimeoutMs! : remaining,
      signal: budget.signal,
      onLine: (_stream, line) => {
        kept.push(line);
        if (kept.length > KEPT_LINES) kept.shift();
        req.buildLog(line);
      },
      onSpawn: (pid) => {
        watch.start(pid);
        void recordBuildProcess(req.releaseDir, pid);
      },
    });
  } finally {
    watch.stop();
  }
  const peakMb = Math.ceil(watch.peakBytes / 1048576);
  if (result.spawnError) {
    const missing = /ENOENT/.test(result.spawnError) ? `${req.argv[0]} is not installed on this worker` : result.spawnError;
    throw new BuildError(`${req.label}: could not run ${req.argv[0]} (${missing})`);
  }
  if (watch.exceededBytes !== null) {
    throw new BuildError(
      `${req.label}: ${command} used ${Math.ceil(watch.exceededBytes / 1048576)} MiB of memory, over the plan's build memory limit of ${budget.limits.memoryMb} MiB, and was stopped. ` +
        "Reduce the build's memory (e.g. fewer parallel workers) or move to a plan with more build memory",
    );
  }
  if (result.cancelled) throw new JobCancelledError(`while ${req.label.toLowerCase()}`);
  if (result.timedOut && stepLimited) {
    throw new BuildError(
      `${req.label}: ${command} timed out after ${formatDuration(budget.stepTimeoutMs!)}, this worker's limit for one build step (AGENT_STEP_TIMEOUT_SECONDS), and was stopped`,
    );
  }
  if (result.timedOut) throw new BuildError(timeMessage(req.label, command, budget));
  if (result.code !== 0) {
    const registry = req.usesRegistry ? classifyRegistryFailure(kept, budget.registry) : null;
    if (registry) throw new BuildError(`${req.label}: ${command} could not use the package registry — ${registry.message}. (${registry.evidence})`);
    const corepack = req.argv[0] === "corepack" && req.argv[1] ? corepackFailure(kept, req.argv[1]) : null;
    if (corepack) throw new BuildError(`${req.label}: ${command} failed: ${corepack}`);
    throw new BuildError(`${req.label}: ${command} failed with ${result.signal ? `signal ${result.signal}` : `exit code ${result.code}`}`);
  }
  return { peakMb };
}

function timeMessage(label: string, command: string, budget: BuildBudget): string {
  const limit = formatDuration(budget.limits.timeoutMs);
  const whose = budget.limits.planTimeoutMs ? `this worker's build time limit of ${limit} (AGENT_BUILD_TIMEOUT_SECONDS)` : `the plan's build time limit of ${limit}`;
  return `${label}: ${command} timed out: the build went over ${whose} and was stopped`;
}
