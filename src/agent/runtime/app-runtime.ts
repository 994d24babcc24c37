import type { JobFrame } from "../../protocol/job-payload";
import type { RuntimeReport } from "../../protocol/runtime-report";

/**
 * The seam between the agent and whatever runs the apps. The job runner, the usage reporter,
 * the connection's reconnect handler and the agent's composition root (src/agent/agent.ts) talk
 * to this interface only; `ProcessRuntime` (src/agent/runtime/process/) is the first
 * implementation, a container runtime (src/agent/runtime/container/) the second.
 *
 * An implementation receives its `RuntimeEvents` when it is constructed and reports through them
 * from then on, whether or not the hub is connected (the agent queues or drops what it cannot
 * send): it never needs a link to the hub.
 */
export interface AppRuntime {
  /** How apps are run; shown to operators (the dashboard's worker page). */
  readonly kind: RuntimeKind;

  /**
   * Loads the apps an earlier agent run left and brings each back to its desired state
   * (re-attach or restart). Called once, before any other method, while the hub may still be
   * unreachable.
   */
  init(): Promise<void>;

  /**
   * Carries out one `job` frame (docs/worker-protocol.md, "The `job` frame"): `deploy` builds
   * and starts a new release and swaps it in once it answers; `start`, `restart`, `stop` and
   * `delete` act on the app already deployed here. Jobs for the same app run one at a time.
   * Resolves with the outcome, which the job runner turns into the one `job_result`; a failure
   * the user can act on is an `{ ok: false }` outcome, not a rejection.
   */
  execute(job: JobFrame, reporter: JobReporter): Promise<JobOutcome>;

  /** What every app on this worker is really doing; sent to the hub after each (re)connect. */
  appStates(): AppState[];

  /**
   * Measures every running app (sent as `app_stats`) and enforces the plan's memory and
   * process limits: an app over a limit is stopped and reported through `RuntimeEvents.violation`.
   */
  sampleUsage(): AppSample[];

  /** MiB the apps use on disk, as last measured by `checkDisk` (for the heartbeat). */
  diskUsedMb(): number;

  /**
   * Measures each running app's disk use and stops (and reports) an app over its plan's disk
   * limit. Slower than `sampleUsage`, so the agent calls it every few minutes.
   */
  checkDisk(): Promise<void>;

  /**
   * Agent exit: ends builds in progress, then stops every app (`stopApps`) or leaves them
   * running for the next agent run to adopt in `init`. Logs stop being followed either way.
   */
  shutdown(stopApps: boolean): Promise<void>;
}

export type RuntimeKind = "process" | "container";

/** The live state of one app, as the hub's `app_status` frame names it. */
export type AppStatus = "running" | "stopped" | "crashed";

export interface AppState {
  appId: number;
  status: AppStatus;
  /** Why the app is stopped or crashed, when the runtime knows. */
  reason?: string;
  /** Set while the app is stopped for a plan violation (already reported when it happened). */
  violation?: string;
}

/**
 * What a runtime tells the rest of the agent, which turns it into frames for the hub
 * (`app_status`, `violation`, `runtime_log`). Passed in when the runtime is constructed.
 */
export interface RuntimeEvents {
  appStatus(appId: number, status: AppStatus, reason?: string): void;
  violation(appId: number, reason: string): void;
  /** One line of an app's output: the runtime follows every running app's stdout and stderr. */
  log(appId: number, stream: "stdout" | "stderr", line: string): void;
}

/** How a job reports while it runs (`job_status` and `build_log` frames). */
export interface JobReporter {
  /** Percent 0–100 and a sentence for the user; the job runner drops progress that goes back. */
  progress(percent: number, message: string): void;
  /** One line of build output. */
  buildLog(line: string): void;
  /**
   * Aborted when the hub cancels the job (a `cancel` frame): the runtime stops the build's
   * processes, never switches traffic to the new version, and resolves with a failed outcome.
   */
  signal?: AbortSignal;
  /** The commit a deploy checked out, so a build that fails after it still reports it (not "branch head"). */
  checkedOut?(commit: { sha: string; message: string }): void;
}

export type JobOutcome =
  | { ok: true; port?: number; containerId?: string; commitSha?: string; commitMessage?: string; logs?: string; runtime?: RuntimeReport }
  | { ok: false; error: string; logs?: string };

/** One app's usage at one sample. Rates (CPU, disk) are 0 on an app's first sample. */
export interface AppSample {
  appId: number;
  /** Percent of one core (200 = two cores busy). */
  cpuPct: number;
  memBytes: number;
  /** The plan's memory limit, bytes. */
  memLimitBytes: number;
  /** Storage reads + writes, MB/s. */
  diskMbps: number;
  processCount: number;
  /**
   * Network received + sent, Mbit/s since the previous sample, and bytes in all since the app's
   * network came up (the hub takes the growth of the total as the traffic, record-usage-tick.ts).
   * The app's own network namespace counts them; the process runtime has none and reports 0.
   */
  netMbps: number;
  netTotalBytes: number;
}
