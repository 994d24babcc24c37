import type { Prisma } from "../db/generated/client";
import type { Services } from "../runtime/services";
import { releaseWorkerResources } from "./release-worker-resources";
import { requestAssignment } from "./request-assignment";

type Tx = Prisma.TransactionClient;

export interface CancelledJob {
  jobId: number;
  appId: number;
  deploymentId: number | null;
  /** Set when a worker holds the job (assigned or processing): it gets a `cancel` frame. */
  workerId: number | null;
  progress: number;
  reason: string;
}

interface LockedJob {
  id: number;
  app_id: number;
  deployment_id: number | null;
  worker_id: number | null;
  status: string;
  progress: number;
  req_cpu: number;
  req_mem: number;
}

/**
 * Inside the caller's transaction (which holds the app row lock): every not-ended job of the app
 * goes `cancelled` with `reason`, its deployment too, and a job a worker held gives its reserved
 * capacity back, exactly once — the job rows are locked (FOR UPDATE) and only moved out of
 * pending/assigned/processing here, so a `job_result` racing with this sees an ended job and is
 * ignored (src/server/jobs/complete-job.ts). Delete jobs are never cancelled: they are what
 * removes the app from its worker. Call `announceCancelledJobs` after the commit.
 */
export async function cancelActiveJobs(tx: Tx, appId: number, reason: string): Promise<CancelledJob[]> {
  const jobs = await tx.$queryRaw<LockedJob[]>`
    SELECT id, app_id, deployment_id, worker_id, status::text AS status, progress, req_cpu, req_mem
      FROM jobs
     WHERE app_id = ${appId} AND type <> 'delete' AND status IN ('pending', 'assigned', 'processing')
     ORDER BY id
       FOR UPDATE`;
  const cancelled: CancelledJob[] = [];
  for (const job of jobs) {
    await tx.$executeRaw`
      UPDATE jobs SET status = 'cancelled', error = ${reason}, message = ${reason}, completed_at = now(), updated_at = now()
       WHERE id = ${job.id}`;
    const held = job.status !== "pending" && job.worker_id !== null;
    if (held) await releaseWorkerResources(tx, job.worker_id!, job.req_cpu, job.req_mem);
    if (job.deployment_id !== null) {
      await tx.$executeRaw`
        UPDATE deployments SET status = 'cancelled', error = ${reason}, finished_at = now()
         WHERE id = ${job.deployment_id} AND status IN ('pending', 'building')`;
    }
    cancelled.push({ jobId: job.id, appId: job.app_id, deploymentId: job.deployment_id, workerId: held ? job.worker_id : null, progress: job.progress, reason });
  }
  return cancelled;
}

/**
 * After the commit: workers holding a cancelled job get a `cancel` frame (through whichever hub
 * holds their socket), live progress views see the job end, and the freed capacity is offered to
 * pending jobs. Best-effort like every bus message: the state is already in Postgres.
 */
export async function announceCancelledJobs(deps: Pick<Services, "bus" | "log" | "queue">, jobs: CancelledJob[]): Promise<void> {
  if (jobs.length === 0) return;
  const publish = (what: string, p: Promise<void>) => p.catch((err: Error) => deps.log.warn({ err: err.message }, `${what} publish failed`));
  for (const job of jobs) {
    if (job.workerId !== null) await publish("job.cancel", deps.bus.publish("job.cancel", { jobId: job.jobId, workerId: job.workerId, reason: job.reason }));
    await publish(
      "job.updated",
      deps.bus.publish("job.updated", { jobId: job.jobId, appId: job.appId, deploymentId: job.deploymentId, status: "cancelled", progress: job.progress, message: job.reason }),
    );
  }
  if (jobs.some((j) => j.workerId !== null)) await requestAssignment(deps);
}
