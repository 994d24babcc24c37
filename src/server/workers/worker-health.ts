import type { Bus } from "../bus/channels";
import type { Db } from "../db/client";
import type { PlatformEventSink } from "../events/platform-events";

/** A worker silent this long is offline (2 minutes). */
export const WORKER_SILENT_AFTER_SECONDS = 120;

/**
 * The status_reason of apps stopped because their worker went silent. The alert poller keeps
 * evaluating the offline rule for such apps (they are down, not stopped by their owner).
 */
export const WORKER_OFFLINE_REASON_PREFIX = "Stopped because worker ";

export interface WorkerHealthResult {
  offlineWorkerIds: number[];
  stoppedAppIds: number[];
}

/**
 * Marks silent workers offline and bulk-stops the apps that were running on them. The status flip is the claim: only the process whose UPDATE changed the row
 * stops its apps and fires the events, so a tick firing twice does nothing the second time.
 */
export async function checkWorkerHealth(
  db: Db,
  deps: { bus?: Bus | null; events?: PlatformEventSink | null; silentAfterSeconds?: number } = {},
): Promise<WorkerHealthResult> {
  const seconds = deps.silentAfterSeconds ?? WORKER_SILENT_AFTER_SECONDS;
  const { workers, apps } = await db.$transaction(
    async (tx) => {
      const workers = await tx.$queryRaw<{ id: number; name: string }[]>`
        UPDATE workers SET status = 'offline', updated_at = now()
        WHERE status IN ('online', 'draining')
          AND (last_heartbeat IS NULL OR last_heartbeat < now() - make_interval(secs => ${seconds}))
        RETURNING id, name`;
      if (workers.length === 0) return { workers, apps: [] };
      const apps = await tx.$queryRaw<{ id: number; user_id: number; name: string; subdomain: string; worker_id: number }[]>`
        UPDATE apps a SET status = 'stopped', status_reason = ${WORKER_OFFLINE_REASON_PREFIX} || w.name || ' went offline.', updated_at = now()
        FROM workers w
        WHERE a.worker_id = w.id AND w.id = ANY(${workers.map((w) => w.id)}::int[]) AND a.status = 'running'
        RETURNING a.id, a.user_id, a.name, a.subdomain, a.worker_id`;
      if (apps.length > 0) {
        await tx.$executeRaw`
          INSERT INTO app_events (app_id, kind, message)
          SELECT id, 'stopped', 'Worker went offline' FROM unnest(${apps.map((a) => a.id)}::int[]) AS t(id)`;
      }
      return { workers, apps };
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  const workerName = new Map(workers.map((w) => [w.id, w.name]));
  for (const app of apps) {
    await deps.bus?.publish("app.changed", { appId: app.id, userId: app.user_id, status: "stopped" }).catch(() => undefined);
    await deps.events?.emit({
      type: "app.stopped",
      userId: app.user_id,
      appId: app.id,
      data: { appName: app.name, subdomain: app.subdomain, reason: `Worker ${workerName.get(app.worker_id) ?? app.worker_id} went offline` },
    });
  }
  return { offlineWorkerIds: workers.map((w) => w.id), stoppedAppIds: apps.map((a) => a.id) };
}
