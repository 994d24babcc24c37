import type { Db } from "../db/client";

export type AlertSeverity = "info" | "warning" | "critical";

/** Input for emitAlert. */
export interface AlertSpec {
  userId: number;
  appId: number | null;
  kind: string;
  severity: AlertSeverity;
  sourceType: string;
  sourceId: string;
  title: string;
  message: string;
}

export function openKey(userId: number, sourceType: string, sourceId: string): string {
  return `${userId}:${sourceType}:${sourceId}`;
}

export interface EmitResult {
  alertId: number;
  /** False when an unresolved alert for the same source already existed (deduplicated). */
  created: boolean;
}

/**
 * Raises an alert unless one is already open for (user, source type, source id). The unique
 * open_key makes this safe under any concurrency: two processes emitting at once get one row.
 */
export async function emitAlert(db: Db, spec: AlertSpec): Promise<EmitResult> {
  const key = openKey(spec.userId, spec.sourceType, spec.sourceId);
  const inserted = await db.$queryRaw<{ id: number }[]>`
    INSERT INTO alerts (user_id, app_id, kind, severity, source_type, source_id, title, message, status, open_key, updated_at)
    VALUES (${spec.userId}, ${spec.appId}, ${spec.kind}, ${spec.severity}, ${spec.sourceType}, ${spec.sourceId}, ${spec.title}, ${spec.message}, 'active', ${key}, now())
    ON CONFLICT (open_key) DO NOTHING
    RETURNING id`;
  if (inserted.length > 0) return { alertId: inserted[0]!.id, created: true };
  const existing = await db.alert.findUnique({ where: { openKey: key }, select: { id: true } });
  if (existing) return { alertId: existing.id, created: false };
  // Resolved between our insert and our read: the condition is still there, so raise it again.
  return emitAlert(db, spec);
}

/**
 * Resolves every open alert of an app (it was deleted: nothing is left to be wrong). Runs in the
 * delete's transaction (src/server/apps/delete-app.ts), so the inbox never lists a deleted app.
 */
export async function resolveAppAlerts(db: Pick<Db, "$executeRaw">, appId: number): Promise<number> {
  return db.$executeRaw`
    UPDATE alerts SET status = 'resolved', resolved_at = now(), open_key = NULL, updated_at = now()
    WHERE app_id = ${appId} AND status <> 'resolved'`;
}

/** Resolves the open alert for a source, if any. Returns how many changed. */
export async function resolveAlertsBySource(db: Db, userId: number, sourceType: string, sourceId: string): Promise<number> {
  return db.$executeRaw`
    UPDATE alerts SET status = 'resolved', resolved_at = now(), open_key = NULL, updated_at = now()
    WHERE open_key = ${openKey(userId, sourceType, sourceId)}`;
}
