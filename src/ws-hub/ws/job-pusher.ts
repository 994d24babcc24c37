import type { Logger } from "pino";
import { completeJob } from "../../server/jobs/complete-job";
import type { WorkerServiceDeps } from "../../server/workers/hub-deps";
import { afterJobCompleted } from "../../server/jobs/job-completion-effects";
import { claimJobForConnection, nextAssignedJobId, workersWithUndeliveredJobs } from "../../server/jobs/job-dispatch";
import { CLOSE_CODES } from "../../protocol/close-codes";
import type { HubMetrics } from "../hub-metrics";
import type { ConnectionRegistry } from "./connection-registry";
import type { WorkerConnection } from "./worker-connection";

/**
 * Sends jobs to workers: on "job.assigned" (any process), on every connect and after every
 * job_result. The claim in claimJobForConnection makes each
 * job reach a connection once even when several hubs hear the same bus message.
 */
export class JobPusher {
  constructor(
    private readonly deps: WorkerServiceDeps,
    private readonly registry: ConnectionRegistry,
    private readonly metrics: HubMetrics,
    private readonly log: Logger,
  ) {}

  /** Bus "job.assigned": only the hub holding the worker's socket acts. */
  onAssigned(workerId: number, jobId: number): void {
    const conn = this.registry.get(workerId);
    if (!conn) return;
    // Until its claim commits, the connection is not yet the worker's live one in the database
    // and the claim below would mistake it for a replaced one.
    void conn
      .whenReady()
      .then((ready) => (ready && !conn.closed ? this.push(conn, jobId, "assigned") : undefined))
      .catch((err: Error) => this.log.warn({ err: err.message, jobId }, "job push failed"));
  }

  /**
   * Every few seconds: jobs assigned to workers connected here that no push reached (their bus
   * message was lost) are sent now, so an assigned job never waits for the stuck timeout.
   */
  async sweep(): Promise<void> {
    const connected = this.registry.all().filter((c) => !c.closed);
    const workerIds = await workersWithUndeliveredJobs(this.deps, connected.map((c) => c.worker.id));
    for (const workerId of workerIds) {
      const conn = this.registry.get(workerId);
      if (conn && !conn.closed && (await conn.whenReady())) await this.pushNext(conn, "sweep");
    }
  }

  /** The worker's oldest assigned job not yet sent on this connection, if any. */
  async pushNext(conn: WorkerConnection, trigger: "connect" | "result" | "sweep"): Promise<void> {
    for (let guard = 0; guard < 100 && !conn.closed; guard++) {
      const jobId = await nextAssignedJobId(this.deps, conn.worker.id, conn.id);
      if (jobId === undefined) return;
      const outcome = await this.push(conn, jobId, trigger);
      // A broken job was failed; look for the next one. Anything else ends the replay.
      if (outcome !== "broken") return;
    }
  }

  private async push(conn: WorkerConnection, jobId: number, trigger: string): Promise<"sent" | "skipped" | "broken"> {
    const outcome = await claimJobForConnection(this.deps, conn.worker.id, conn.id, jobId);
    if (outcome.kind === "send") {
      if (conn.send("job", outcome.frame)) this.metrics.jobsPushed.inc({ trigger });
      return "sent";
    }
    if (outcome.kind === "skip") {
      // The worker's live connection is on another hub (or newer here): this one is stale.
      if (outcome.replaced && !conn.closed) conn.close(CLOSE_CODES.replaced, "replaced");
      return "skipped";
    }
    this.log.error({ jobId, workerId: conn.worker.id, reason: outcome.reason }, "job cannot be sent; failing it");
    const done = await completeJob(this.deps.db, conn.worker.id, {
      job_id: outcome.jobId,
      status: "failed",
      error: `The control plane could not prepare this job: ${outcome.reason}. Redeploy the app.`,
    });
    if (done) await afterJobCompleted(this.deps, done);
    return "broken";
  }
}
