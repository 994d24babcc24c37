import type { Db } from "../db/client";
import { USAGE_RETENTION_DAYS } from "../usage/usage-buckets";

/** Idle sessions expire after this (rolling); the absolute cap is each row's expires_at. */
export const SESSION_IDLE_DAYS = 30;
/** A process heartbeat this old belongs to a process that died without cleaning up. */
export const STALE_HEARTBEAT_MINUTES = 60;
export const DELIVERY_RETENTION_DAYS = 30;
export const CAUGHT_MAIL_RETENTION_DAYS = 14;

/** Revoked, idle (30 days) or past their absolute cap. */
export async function pruneSessions(db: Db, now = new Date()): Promise<number> {
  return db.$executeRaw`
    DELETE FROM sessions
    WHERE revoked_at IS NOT NULL
       OR last_seen_at < ${now}::timestamptz - make_interval(days => ${SESSION_IDLE_DAYS})
       OR expires_at < ${now}`;
}

/** Expired 2FA challenges. */
export async function prunePendingTotps(db: Db, now = new Date()): Promise<number> {
  return db.$executeRaw`DELETE FROM pending_totps WHERE expires_at < ${now}`;
}

/** Usage samples beyond the 90-day retention. */
export async function pruneUsageSamples(db: Db, now = new Date()): Promise<number> {
  return db.$executeRaw`
    DELETE FROM usage_samples WHERE bucket_start < ${now}::timestamptz - make_interval(days => ${USAGE_RETENTION_DAYS})`;
}

/** Webhook delivery attempts older than 30 days (the page and stats look back 7). */
export async function pruneWebhookDeliveries(db: Db, now = new Date()): Promise<number> {
  return db.$executeRaw`
    DELETE FROM webhook_deliveries WHERE created_at < ${now}::timestamptz - make_interval(days => ${DELIVERY_RETENTION_DAYS})`;
}

/**
 * Runtime log lines beyond RUNTIME_LOG_RETENTION_DAYS, in batches so a large backlog never holds
 * long locks on a table the hubs keep inserting into.
 */
export async function pruneRuntimeLogs(db: Db, retentionDays: number, now = new Date(), batch = 10_000): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.$executeRaw`
      DELETE FROM runtime_logs WHERE id IN (
        SELECT id FROM runtime_logs WHERE ts < ${now}::timestamptz - make_interval(days => ${retentionDays}) LIMIT ${batch}
      )`;
    total += n;
    if (n < batch) return total;
  }
}

/** Heartbeat rows of processes that died without removing theirs, and old caught mail. */
export async function pruneStaleHeartbeats(db: Db, now = new Date()): Promise<number> {
  const beats = await db.$executeRaw`
    DELETE FROM process_heartbeats WHERE last_seen_at < ${now}::timestamptz - make_interval(mins => ${STALE_HEARTBEAT_MINUTES})`;
  await db.$executeRaw`
    DELETE FROM caught_mails WHERE received_at < ${now}::timestamptz - make_interval(days => ${CAUGHT_MAIL_RETENTION_DAYS})`;
  return beats;
}
