import type { Db } from "../db/client";
import type { LiveAppStats } from "../stats/live-app-stats";
import { bucketStart, tickSlot } from "./usage-buckets";

export interface LiveStatsSource {
  all(): LiveAppStats[];
}

/**
 * One usage-recorder tick, folded into SQL: each running app's live snapshot goes into its
 * 5-minute usage_samples row as a running average and maximum; network bytes are the delta of the
 * app's running byte counter since the last tick (a counter that went down was reset, so
 * everything it counts now is new). The per-app cursor claims the tick slot, so two processes, or
 * a tick firing twice, fold each sample once. One statement for all apps; the tables keep free
 * room on each page so these rewrites stay in place (prisma/migrations/20261202163200_usage_hot_updates).
 */
export async function recordUsageTick(db: Db, stats: LiveStatsSource, now = new Date()): Promise<{ folded: number }> {
  // One snapshot per app (the latest), so the statement needs no DISTINCT ON sort.
  const snaps = [...new Map(stats.all().map((s) => [s.appId, s])).values()];
  if (snaps.length === 0) return { folded: 0 };
  const slot = tickSlot(now);
  const bucket = bucketStart(now);
  const rows = await db.$queryRaw<{ n: number }[]>`
    WITH input AS (
      SELECT * FROM unnest(
        ${snaps.map((s) => s.appId)}::int[], ${snaps.map((s) => s.cpuPct)}::float8[], ${snaps.map((s) => s.memBytes)}::float8[],
        ${snaps.map((s) => s.netMbps)}::float8[], ${snaps.map((s) => s.netTotalBytes)}::float8[]
      ) AS t(app_id, cpu, mem, net_mbps, net_total)
    ),
    eligible AS (
      SELECT i.*, a.user_id FROM input i JOIN apps a ON a.id = i.app_id AND a.status = 'running'
    ),
    cur AS (
      INSERT INTO usage_cursors AS c (app_id, last_tick, net_total, prev_total)
      SELECT app_id, ${slot}, net_total::bigint, NULL FROM eligible
      ON CONFLICT (app_id) DO UPDATE SET last_tick = EXCLUDED.last_tick, net_total = EXCLUDED.net_total, prev_total = c.net_total
      WHERE c.last_tick < EXCLUDED.last_tick
      RETURNING c.app_id, c.net_total, c.prev_total
    ),
    folded AS (
      INSERT INTO usage_samples AS s (app_id, bucket_start, user_id, cpu_avg, cpu_max, mem_avg, mem_max, net_avg_mbps, net_max_mbps, net_bytes, samples)
      SELECT e.app_id, ${bucket}, e.user_id, e.cpu, e.cpu, e.mem::bigint, e.mem::bigint, e.net_mbps, e.net_mbps,
             CASE WHEN cur.prev_total IS NULL THEN 0
                  WHEN cur.net_total >= cur.prev_total THEN cur.net_total - cur.prev_total
                  ELSE cur.net_total END,
             1
      FROM eligible e JOIN cur ON cur.app_id = e.app_id
      ON CONFLICT (app_id, bucket_start) DO UPDATE SET
        cpu_avg = (s.cpu_avg * s.samples + EXCLUDED.cpu_avg) / (s.samples + 1),
        cpu_max = GREATEST(s.cpu_max, EXCLUDED.cpu_max),
        mem_avg = round((s.mem_avg::numeric * s.samples + EXCLUDED.mem_avg) / (s.samples + 1))::bigint,
        mem_max = GREATEST(s.mem_max, EXCLUDED.mem_max),
        net_avg_mbps = (s.net_avg_mbps * s.samples + EXCLUDED.net_avg_mbps) / (s.samples + 1),
        net_max_mbps = GREATEST(s.net_max_mbps, EXCLUDED.net_max_mbps),
        net_bytes = s.net_bytes + EXCLUDED.net_bytes,
        samples = s.samples + 1
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM folded`;
  return { folded: rows[0]?.n ?? 0 };
}
