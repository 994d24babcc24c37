import type { Db } from "../db/client";
import type { LiveAppStats } from "../stats/live-app-stats";
import { bucketStart, tickSlot } from "./usage-buckets";

export interface LiveStatsSource {
  all(): LiveAppStats[];
}

/**
 * Longer than any tick of 100,000 apps on a loaded machine, shorter than the queue task's
 * expiry (src/jobs-process/start-boss.ts, 120 s), so pg-boss never retries a tick still running.
 */
const TICK_TRANSACTION_MS = 110_000;

/**
 * One usage-recorder tick, folded into SQL: each running app's live snapshot goes into its
 * 5-minute usage_samples row as a running average and maximum; network bytes are the delta of the
 * app's running byte counter since the last tick (a counter that went down was reset, so
 * everything it counts now is new).
 *
 * The sample row is its own cursor (prisma/migrations/20261203110000_usage_cursor_in_sample): it
 * keeps the tick slot last folded in and the counter seen then, so a tick writes one row per app.
 * The app's latest sample (a backward step on the primary key) says whether this slot is new, and
 * whether the app's row of this bucket exists: if so the upsert's conflict path updates it (an
 * UPDATE … FROM of the same rows took 1.9 s for 100,000 apps in bench:jobs, against 1.4–1.6 s for
 * the upsert), if not a new one is inserted with the byte delta from that latest sample's counter.
 * A tick older than the latest sample is dropped.
 *
 * Ticks run one at a time: the transaction-level advisory lock makes a second process, or a tick
 * firing twice, wait for the first to commit, and its statement (a new snapshot under READ
 * COMMITTED) then sees the rows the first wrote and folds nothing it already folded. That is what
 * lets the first tick of a bucket be a plain INSERT instead of an upsert, whose conflict check and
 * confirmation record per row cost ~0.2–0.3 s of a 100,000-app tick (docs/performance.md). One
 * statement for all apps; the table keeps free room on each page so the rewrites stay in place
 * (prisma/migrations/20261202163200_usage_hot_updates).
 */
export async function recordUsageTick(db: Db, stats: LiveStatsSource, now = new Date()): Promise<{ folded: number }> {
  // One snapshot per app (the latest), so the statement needs no DISTINCT ON sort.
  const snaps = [...new Map(stats.all().map((s) => [s.appId, s])).values()];
  if (snaps.length === 0) return { folded: 0 };
  const slot = tickSlot(now);
  const bucket = bucketStart(now);
  const [, rows] = await db.$transaction(
    [
      db.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('usage_samples tick'))`,
      db.$queryRaw<{ n: number }[]>`
    WITH input AS (
      SELECT * FROM unnest(
        ${snaps.map((s) => s.appId)}::int[], ${snaps.map((s) => s.cpuPct)}::float8[], ${snaps.map((s) => s.memBytes)}::float8[],
        ${snaps.map((s) => s.netMbps)}::float8[], ${snaps.map((s) => s.netTotalBytes)}::float8[]
      ) AS t(app_id, cpu, mem, net_mbps, net_total)
    ),
    fresh AS (
      SELECT i.app_id, a.user_id, i.cpu, i.mem::bigint AS mem, i.net_mbps, i.net_total::bigint AS net_total,
             last.bucket_start AS last_bucket, last.net_total AS prev_total
      FROM input i
      JOIN apps a ON a.id = i.app_id AND a.status = 'running'
      LEFT JOIN LATERAL (
        SELECT l.bucket_start, l.last_tick, l.net_total FROM usage_samples l WHERE l.app_id = i.app_id ORDER BY l.bucket_start DESC LIMIT 1
      ) last ON true
      WHERE last.last_tick IS NULL OR last.last_tick < ${slot}
    ),
    -- Apps whose row of this bucket exists: the upsert's conflict path updates it, with the
    -- guard rechecked on the row it locked (for a writer that does not take the lock).
    updated AS (
      INSERT INTO usage_samples AS s (app_id, bucket_start, user_id, cpu_avg, cpu_max, mem_avg, mem_max, net_avg_mbps, net_max_mbps, net_bytes, samples, last_tick, net_total)
      SELECT app_id, ${bucket}, user_id, cpu, cpu, mem, mem, net_mbps, net_mbps,
             CASE WHEN prev_total IS NULL THEN 0 WHEN net_total >= prev_total THEN net_total - prev_total ELSE net_total END,
             1, ${slot}, net_total
      FROM fresh
      WHERE last_bucket = ${bucket}
      ON CONFLICT (app_id, bucket_start) DO UPDATE SET
        cpu_avg = (s.cpu_avg * s.samples + EXCLUDED.cpu_avg) / (s.samples + 1),
        cpu_max = GREATEST(s.cpu_max, EXCLUDED.cpu_max),
        mem_avg = round((s.mem_avg::numeric * s.samples + EXCLUDED.mem_avg) / (s.samples + 1))::bigint,
        mem_max = GREATEST(s.mem_max, EXCLUDED.mem_max),
        net_avg_mbps = (s.net_avg_mbps * s.samples + EXCLUDED.net_avg_mbps) / (s.samples + 1),
        net_max_mbps = GREATEST(s.net_max_mbps, EXCLUDED.net_max_mbps),
        -- From the counter on the locked row, not the statement's snapshot of it.
        net_bytes = s.net_bytes + CASE WHEN s.net_total IS NULL THEN 0
                                       WHEN EXCLUDED.net_total >= s.net_total THEN EXCLUDED.net_total - s.net_total
                                       ELSE EXCLUDED.net_total END,
        samples = s.samples + 1,
        last_tick = EXCLUDED.last_tick,
        net_total = EXCLUDED.net_total
      WHERE s.last_tick IS NULL OR s.last_tick < EXCLUDED.last_tick
      RETURNING 1
    ),
    -- Apps without a row in this bucket: no conflict is possible under the lock, so a plain INSERT.
    inserted AS (
      INSERT INTO usage_samples (app_id, bucket_start, user_id, cpu_avg, cpu_max, mem_avg, mem_max, net_avg_mbps, net_max_mbps, net_bytes, samples, last_tick, net_total)
      SELECT app_id, ${bucket}, user_id, cpu, cpu, mem, mem, net_mbps, net_mbps,
             CASE WHEN prev_total IS NULL THEN 0 WHEN net_total >= prev_total THEN net_total - prev_total ELSE net_total END,
             1, ${slot}, net_total
      FROM fresh
      WHERE last_bucket IS NULL OR last_bucket < ${bucket}
      RETURNING 1
    )
    SELECT ((SELECT count(*) FROM updated) + (SELECT count(*) FROM inserted))::int AS n`,
    ],
    { timeout: TICK_TRANSACTION_MS, maxWait: 10_000 },
  );
  return { folded: rows[0]?.n ?? 0 };
}
