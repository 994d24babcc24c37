import type { WorkerServiceDeps } from "../workers/hub-deps";
import { publishQuietly } from "../workers/hub-deps";
import { forbiddenFrame } from "../../protocol/frame-error";
import type { WorkerMessage } from "../../protocol/worker-messages";

/**
 * The job goes `processing` (started_at on the first report) with the
 * worker's progress; its deployment goes `building`. Only a job assigned to this worker and
 * not yet ended can move; anything else is forbidden.
 */
export async function updateJobStatus(deps: WorkerServiceDeps, workerId: number, msg: WorkerMessage<"job_status">): Promise<void> {
  const rows = await deps.db.$queryRaw<{ app_id: number; deployment_id: number | null }[]>`
    UPDATE jobs
       SET status = 'processing',
           message = ${msg.message},
           progress = ${msg.progress},
           started_at = COALESCE(started_at, now()),
           updated_at = now()
     WHERE id = ${msg.job_id} AND worker_id = ${workerId} AND status IN ('assigned', 'processing')
     RETURNING app_id, deployment_id`;
  const job = rows[0];
  if (!job) {
    const exists = await deps.db.job.findFirst({ where: { id: msg.job_id, workerId }, select: { status: true } });
    // A late status for a job that already ended is harmless; a job that is not ours is not.
    if (exists) return;
    throw forbiddenFrame(`Job ${msg.job_id}`);
  }
  if (job.deployment_id !== null) {
    await deps.db.$executeRaw`
      UPDATE deployments SET status = 'building', started_at = COALESCE(started_at, now()), worker_id = ${workerId}
       WHERE id = ${job.deployment_id} AND status IN ('pending', 'building')`;
  }
  publishQuietly(
    deps,
    deps.bus.publish("job.updated", {
      jobId: msg.job_id,
      appId: job.app_id,
      deploymentId: job.deployment_id,
      status: "processing",
      progress: msg.progress,
      message: msg.message,
    }),
    "job.updated",
  );
}
