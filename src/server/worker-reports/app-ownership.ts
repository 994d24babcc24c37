import type { Db } from "../db/client";
import { forbiddenFrame } from "../../protocol/frame-error";

/**
 * The subset of `appIds` that belong to the worker: apps placed on it, or apps with a job on it
 * that is still in flight (a first deploy runs before the app is placed).
 */
export async function appsOwnedBy(db: Db, workerId: number, appIds: number[]): Promise<Set<number>> {
  if (appIds.length === 0) return new Set();
  const rows = await db.$queryRaw<{ id: number }[]>`
    SELECT a.id FROM apps a
     WHERE a.id = ANY(${appIds}::int[])
       AND a.deleted_at IS NULL
       AND (a.worker_id = ${workerId}
            OR EXISTS (SELECT 1 FROM jobs j WHERE j.app_id = a.id AND j.worker_id = ${workerId}
                        AND j.status IN ('assigned', 'processing')))`;
  return new Set(rows.map((r) => r.id));
}

/** Throws `forbidden` unless every app id belongs to the worker. */
export async function assertAppsOwned(db: Db, workerId: number, appIds: number[]): Promise<void> {
  const unique = [...new Set(appIds)];
  const owned = await appsOwnedBy(db, workerId, unique);
  const foreign = unique.filter((id) => !owned.has(id));
  if (foreign.length > 0) throw forbiddenFrame(`App ${foreign.slice(0, 5).join(", ")}`);
}
