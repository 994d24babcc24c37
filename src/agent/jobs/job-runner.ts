import type { JobFrame } from "../../protocol/job-payload";
import type { JobResultPayload } from "../../protocol/worker-messages";
import type { Uplink } from "../connection/uplink";
import type { AgentLogger } from "../logger";
import type { LogBudget } from "../reporting/log-budget";
import type { AppRuntime } from "../runtime/app-runtime";
import { BuildLogStream } from "./build-log-stream";
import type { JobJournal } from "./job-journal";

const MAX_RESULT_LOG_BYTES = 64 * 1024;
/** Results an agent sends again when it starts, in case its previous run died before they reached the hub. */
const RESEND_RECENT_RESULTS = 10;
const INTERRUPTED = "The worker's agent was restarted (it was killed or crashed) while running this job, so the job did not finish. Run it again.";

/** Turns `job` frames into runtime work and reports progress, build output and the one result. */
export class JobRunner {
  /** Running jobs and the last progress each reported. */
  private readonly inFlight = new Map<number, { percent: number; message: string }>();
  /** Aborting one cancels that job's build (a hub `cancel` frame). */
  private readonly cancels = new Map<number, AbortController>();

  constructor(
    private readonly runtime: AppRuntime,
    private readonly link: Uplink,
    private readonly journal: JobJournal,
    private readonly log: AgentLogger,
    private readonly logBudget: LogBudget,
  ) {}

  get busy(): number {
    return this.inFlight.size;
  }

  handle(job: JobFrame, seq: number): void {
    const running = this.inFlight.get(job.job_id);
    if (running) {
      this.log.info({ jobId: job.job_id }, "job already running (sent again after a reconnect); not starting it twice");
      this.link.send("job_status", { job_id: job.job_id, status: "processing", message: running.message, progress: running.percent }, { reliable: true, re: seq });
      return;
    }
    const done = this.journal.get(job.job_id);
    if (done) {
      this.log.info({ jobId: job.job_id, status: done.status }, "job already finished; sending its result again");
      this.link.send("job_result", done, { reliable: true, re: seq });
      return;
    }
    this.inFlight.set(job.job_id, { percent: 0, message: "Job received by the worker" });
    this.cancels.set(job.job_id, new AbortController());
    void this.run(job, seq).finally(() => {
      this.inFlight.delete(job.job_id);
      this.cancels.delete(job.job_id);
    });
  }

  /**
   * A `cancel` frame: the job's build stops (its processes are killed) and its result says so.
   * A job that is not running here (finished, or never received) needs nothing: the hub has
   * already marked it cancelled. Returns whether a running job was cancelled.
   */
  cancel(jobId: number, reason: string): boolean {
    const controller = this.cancels.get(jobId);
    if (!controller || controller.signal.aborted) return false;
    this.log.info({ jobId, reason }, "job cancelled by the hub");
    controller.abort(new Error(reason));
    return true;
  }

  /**
   * At start: the last results go out again, and jobs an earlier run of this agent was running
   * when it died (they cannot finish) end now, failed with a message that says why (the user
   * starts it again). The results wait in the
   * uplink for the hub; one the hub already ended is ignored there (src/server/jobs/complete-job.ts).
   */
  async failInterrupted(): Promise<number[]> {
    // The last results first: the previous run may have died before one reached the hub. A
    // result for a job the hub already ended changes nothing, so sending it again is safe.
    for (const done of this.journal.recent(RESEND_RECENT_RESULTS)) this.link.send("job_result", done, { reliable: true });
    const ids = this.journal.interrupted();
    for (const jobId of ids) {
      const result: JobResultPayload = { job_id: jobId, status: "failed", error: INTERRUPTED };
      await this.journal.record(result);
      this.link.send("job_result", result, { reliable: true });
      this.log.warn({ jobId }, "job was interrupted by an agent restart; reported failed");
    }
    return ids;
  }

  private async run(job: JobFrame, seq: number): Promise<void> {
    const log = this.log.child({ jobId: job.job_id, appId: job.app_id, type: job.type });
    await this.journal.markStarted(job.job_id);
    log.info("job started");
    let lastProgress = -1;
    const progress = (percent: number, message: string) => {
      const p = Math.max(0, Math.min(100, Math.round(percent)));
      if (p < lastProgress) return;
      lastProgress = p;
      this.inFlight.set(job.job_id, { percent: p, message });
      this.link.send("job_status", { job_id: job.job_id, status: "processing", message, progress: p }, { reliable: true, re: seq });
    };
    const buildLog =
      job.deployment_id !== null
        ? new BuildLogStream((chunk) => this.link.send("build_log", { deployment_id: job.deployment_id!, chunk }, { reliable: true }), this.logBudget)
        : null;
    progress(5, "Job received by the worker");
    const seen: { commit?: { sha: string; message: string } } = {};
    let result: JobResultPayload;
    try {
      const outcome = await this.runtime.execute(job, {
        progress,
        buildLog: (line) => buildLog?.line(line),
        signal: this.cancels.get(job.job_id)?.signal,
        checkedOut: (commit) => {
          seen.commit = commit;
        },
      });
      result = outcome.ok
        ? {
            job_id: job.job_id,
            status: "completed",
            ...(outcome.containerId ? { container_id: outcome.containerId } : {}),
            ...(outcome.port ? { port: outcome.port } : {}),
            ...(outcome.commitSha ? { commit_sha: outcome.commitSha } : {}),
            ...(outcome.commitMessage !== undefined ? { commit_message: outcome.commitMessage } : {}),
            ...(outcome.logs ? { logs: capTail(outcome.logs) } : {}),
            ...(outcome.runtime ? { runtime: outcome.runtime } : {}),
          }
        : {
            job_id: job.job_id,
            status: "failed",
            error: outcome.error,
            // A build that failed after the checkout still names its commit (src/server/jobs/complete-job.ts keeps it).
            ...(seen.commit ? { commit_sha: seen.commit.sha, commit_message: seen.commit.message.slice(0, 4000) } : {}),
            ...(outcome.logs ? { logs: capTail(outcome.logs) } : {}),
          };
    } catch (err) {
      log.error({ err }, "job crashed inside the agent");
      result = { job_id: job.job_id, status: "failed", error: `internal agent error: ${(err as Error).message}` };
    }
    if (result.status === "completed") progress(100, "Done");
    buildLog?.end();
    await this.journal.record(result);
    this.link.send("job_result", result, { reliable: true, re: seq });
    log.info({ status: result.status, error: result.error }, "job finished");
  }
}

function capTail(text: string): string {
  if (Buffer.byteLength(text) <= MAX_RESULT_LOG_BYTES) return text;
  return `...[truncated]...\n${text.slice(-MAX_RESULT_LOG_BYTES)}`;
}
