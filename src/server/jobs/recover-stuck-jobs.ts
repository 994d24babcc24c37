import type { Bus } from "../bus/channels";
import type { Db } from "../db/client";
import type { PlatformEventSink } from "../events/platform-events";

/** A job assigned this long ago and still not finished is considered lost (15 minutes). */
export const STUCK_AFTER_MINUTES = 15;

/**
 * The window the jobs process uses: never shorter than the longest build any plan allows plus
 * the usual 15 minutes for clone, start and reporting, so a build using its whole budget is not
 * taken for lost while it runs.
 */
export function stuckAfterMinutesFor(plans: { all(): { buildTimeoutSeconds: number }[] }): number {
  const longestBuild = Math.max(0, ...plans.all().map((p) => p.buildTimeoutSeconds));
  return Math.ceil(longestBuild / 60) + STUCK_AFTER_MINUTES;
}

interface StuckRow {
  id: number;
  type: string;
  app_id: number;
  deployment_id: number | null;
  worker_id: number | null;
  req_cpu: number;
  req_mem: number;
  /** Where the job stopped; the failure keeps it, as the stored row does. */
  progress: number;
}

export interface StuckRecoveryResult {
  failedJobIds: number[];
}

/**
 * Fails jobs stuck in assigned/processing (no automatic retry: users redeploy), releases their
 * reserved capacity, fails their deployment and a deploying app, in one transaction. Rows are
 * claimed with SKIP LOCKED and the status change is the claim, so two jobs processes (or a tick
 * firing twice) fail each job once and release its capacity once.
 */
export async function recoverStuckJobs(
  db: Db,
  deps: { bus?: Bus | null; events?: PlatformEventSink | null; stuckAfterMinutes?: number } = {},
): Promise<StuckRecoveryResult> {
  const minutes = deps.stuckAfterMinutes ?? STUCK_AFTER_MINUTES;
  const reason = `No result from the worker within ${minutes} minutes; the job was marked failed. Deploy again to retry.`;
  const { stuck, apps, deployments } = await db.$transaction(
    async (tx) => {
      const stuck = await tx.$queryRaw<StuckRow[]>`
        WITH claimed AS (
          SELECT id FROM jobs
          WHERE status IN ('assigned', 'processing')
            AND COALESCE(assigned_at, updated_at) < now() - make_interval(mins => ${minutes})
          FOR UPDATE SKIP LOCKED
        )
        UPDATE jobs j SET status = 'failed', error = ${reason}, completed_at = now(), updated_at = now()
        FROM claimed WHERE j.id = claimed.id
        RETURNING j.id, j.type::text AS type, j.app_id, j.deployment_id, j.worker_id, j.req_cpu, j.req_mem, j.progress`;
      if (stuck.length === 0) return { stuck, apps: [], deployments: [] };
      const withWorker = stuck.filter((s) => s.worker_id != null);
      if (withWorker.length > 0) {
        await tx.$executeRaw`
          UPDATE workers w SET used_cpu = GREATEST(w.used_cpu - r.cpu, 0), used_mem = GREATEST(w.used_mem - r.mem, 0)
          FROM (
            SELECT worker_id, sum(cpu) AS cpu, sum(mem)::int AS mem
            FROM unnest(${withWorker.map((s) => s.worker_id!)}::int[], ${withWorker.map((s) => s.req_cpu)}::float8[], ${withWorker.map((s) => s.req_mem)}::int[]) AS t(worker_id, cpu, mem)
            GROUP BY worker_id
          ) r
          WHERE w.id = r.worker_id`;
      }
      const deploymentIds = stuck.map((s) => s.deployment_id).filter((d): d is number => d != null);
      const deployments = await tx.$queryRaw<{ id: number; app_id: number; user_id: number | null; commit_sha: string; commit_message: string }[]>`
        UPDATE deployments SET status = 'failed', error = ${reason}, finished_at = now()
        WHERE id = ANY(${deploymentIds}::int[]) AND status IN ('pending', 'building')
        RETURNING id, app_id, user_id, commit_sha, commit_message`;
      const appIds = stuck.filter((s) => ["deploy", "restart", "start"].includes(s.type)).map((s) => s.app_id);
      const apps = await tx.$queryRaw<{ id: number; user_id: number; name: string; subdomain: string; status: string }[]>`
        UPDATE apps SET status = 'failed', status_reason = ${reason}, updated_at = now()
        WHERE id = ANY(${appIds}::int[]) AND status IN ('pending', 'deploying')
        RETURNING id, user_id, name, subdomain, status::text AS status`;
      return { stuck, apps, deployments };
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  for (const s of stuck) {
    await deps.bus
      ?.publish("job.updated", { jobId: s.id, appId: s.app_id, deploymentId: s.deployment_id, status: "failed", progress: s.progress, message: reason })
      .catch(() => undefined);
  }
  for (const app of apps) {
    await deps.bus?.publish("app.changed", { appId: app.id, userId: app.user_id, status: app.status }).catch(() => undefined);
  }
  for (const d of deployments) {
    const app = await db.app.findUnique({ where: { id: d.app_id }, select: { userId: true, name: true, subdomain: true } });
    if (!app) continue;
    await deps.events?.emit({
      type: "deployment.failed",
      userId: app.userId,
      appId: d.app_id,
      data: { deploymentId: d.id, appName: app.name, subdomain: app.subdomain, commitSha: d.commit_sha, commitMessage: d.commit_message, reason },
    });
  }
  return { failedJobIds: stuck.map((s) => s.id) };
}
