import type { Prisma } from "../db/generated/client";
import type { WorkerServiceDeps } from "../workers/hub-deps";
import { capHeadTail, printableLogText } from "../worker-reports/log-text";
import { forbiddenFrame } from "../../protocol/frame-error";
import type { WorkerMessage } from "../../protocol/worker-messages";

type JobResult = WorkerMessage<"job_result">;
type Tx = Prisma.TransactionClient;

interface LockedJob {
  id: number;
  type: "deploy" | "restart" | "start" | "stop" | "delete";
  app_id: number;
  deployment_id: number | null;
  worker_id: number | null;
  status: string;
  req_cpu: number;
  req_mem: number;
}

export interface CompletedJob {
  jobId: number;
  type: LockedJob["type"];
  appId: number;
  userId: number;
  appName: string;
  subdomain: string;
  appStatus: string;
  deploymentId: number | null;
  status: "completed" | "failed";
  /** The stored progress (100 when completed; where it stopped when failed), as every page shows it. */
  progress: number;
  error: string | null;
  commitSha: string;
  commitMessage: string;
}

const RUNS_APP = new Set(["deploy", "restart", "start"]);

function appStatusAfter(job: LockedJob, result: JobResult): string | undefined {
  if (result.status === "failed") return RUNS_APP.has(job.type) ? "failed" : undefined;
  if (RUNS_APP.has(job.type)) return "running";
  if (job.type === "stop") return "stopped";
  return "deleted";
}

/**
 * In one transaction: the job ends, the app and deployment take the outcome (a deploy's image
 * too: deployments.image is only ever set here, by the deployment's own worker),
 * and the worker's reservation (jobs.req_cpu/req_mem) is released, never below zero.
 * Returns undefined when the job had already ended: a result applies exactly once.
 * Throws `forbidden` for a job that is not this worker's.
 */
export async function completeJob(db: WorkerServiceDeps["db"], workerId: number, result: JobResult): Promise<CompletedJob | undefined> {
  return db.$transaction(async (tx: Tx) => {
    const [job] = await tx.$queryRaw<LockedJob[]>`
      SELECT id, type::text AS type, app_id, deployment_id, worker_id, status::text AS status, req_cpu, req_mem
        FROM jobs WHERE id = ${result.job_id} FOR UPDATE`;
    if (!job || job.worker_id !== workerId) throw forbiddenFrame(`Job ${result.job_id}`);
    if (job.status !== "assigned" && job.status !== "processing") return undefined;

    const error = result.status === "failed" ? printableLogText(result.error ?? "the worker reported a failure without a message") : null;
    const [ended] = await tx.$queryRaw<{ progress: number }[]>`
      UPDATE jobs SET status = ${result.status}::"JobStatus", error = ${error},
             progress = CASE WHEN ${result.status} = 'completed' THEN 100 ELSE progress END,
             completed_at = now(), updated_at = now()
       WHERE id = ${job.id}
       RETURNING progress`;
    await tx.$executeRaw`
      UPDATE workers SET used_cpu = GREATEST(used_cpu - ${job.req_cpu}, 0),
                         used_mem = GREATEST(used_mem - ${job.req_mem}, 0),
                         updated_at = now()
       WHERE id = ${workerId}`;

    const nextStatus = appStatusAfter(job, result);
    const isDeploy = job.type === "deploy" || job.type === "restart";
    const runsApp = RUNS_APP.has(job.type) && result.status === "completed";
    const [app] = await tx.$queryRaw<{ user_id: number; name: string; subdomain: string; status: string }[]>`
      UPDATE apps SET
             status = COALESCE(${nextStatus ?? null}::"AppStatus", status),
             status_reason = ${error},
             worker_id = CASE WHEN ${runsApp} THEN ${workerId}::int ELSE worker_id END,
             port = CASE WHEN ${runsApp} AND ${result.port ?? null}::int IS NOT NULL THEN ${result.port ?? null}::int ELSE port END,
             container_id = CASE WHEN ${runsApp} AND ${result.container_id ?? null}::text IS NOT NULL THEN ${result.container_id ?? null}::text ELSE container_id END,
             current_deployment_id = CASE WHEN ${runsApp && isDeploy} AND ${job.deployment_id}::int IS NOT NULL THEN ${job.deployment_id}::int ELSE current_deployment_id END,
             deleted_at = CASE WHEN ${nextStatus === "deleted"} THEN COALESCE(deleted_at, now()) ELSE deleted_at END,
             updated_at = now()
       WHERE id = ${job.app_id}
       RETURNING user_id, name, subdomain, status::text AS status`;

    let commitSha = result.commit_sha ?? "";
    let commitMessage = result.commit_message ?? "";
    if (job.deployment_id !== null) {
      const logs = result.logs !== undefined ? capHeadTail(printableLogText(result.logs)) : null;
      // The image a completed deploy ran (`runtime.image`; none on the process runtime), set with
      // the status so a rollback to a deployment seen "succeeded" already reuses it
      // (src/server/apps/deployments/deploy-app.ts, `payload.rollbackTarget`).
      const image = job.type === "deploy" && result.status === "completed" ? (result.runtime?.image ?? null) : null;
      const [dep] = await tx.$queryRaw<{ commit_sha: string; commit_message: string }[]>`
        UPDATE deployments SET
               status = ${result.status === "completed" ? "succeeded" : "failed"}::"DeploymentStatus",
               error = ${error},
               worker_id = ${workerId},
               commit_sha = CASE WHEN ${result.commit_sha ?? ""} <> '' THEN ${result.commit_sha ?? ""} ELSE commit_sha END,
               commit_message = CASE WHEN ${result.commit_message ?? ""} <> '' THEN ${result.commit_message ?? ""} ELSE commit_message END,
               -- The streamed build_log chunks are the whole log; a result's logs are the
               -- agent's tail of it (its last lines), so they fill the log only when nothing
               -- was streamed (docs/worker-protocol.md). Overwriting lost the log's head.
               build_logs = CASE WHEN build_logs = '' THEN COALESCE(${logs}::text, build_logs) ELSE build_logs END,
               image = COALESCE(${image}::text, image),
               started_at = COALESCE(started_at, now()),
               finished_at = now()
         WHERE id = ${job.deployment_id}
         RETURNING commit_sha, commit_message`;
      if (dep) {
        commitSha = dep.commit_sha;
        commitMessage = dep.commit_message;
      }
    }
    return {
      jobId: job.id,
      type: job.type,
      appId: job.app_id,
      userId: app?.user_id ?? 0,
      appName: app?.name ?? "",
      subdomain: app?.subdomain ?? "",
      appStatus: app?.status ?? "",
      deploymentId: job.deployment_id,
      status: result.status,
      progress: ended?.progress ?? 0,
      error,
      commitSha,
      commitMessage,
    };
  });
}
