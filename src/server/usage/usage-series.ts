import type { Db } from "../db/client";

export const USAGE_RANGES = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;
export type UsageRange = keyof typeof USAGE_RANGES;

/** Points per chart: 1 h shows every 5-minute bucket; longer ranges are averaged into wider steps. */
const STEP_MINUTES: Record<UsageRange, number> = { "1h": 5, "24h": 15, "7d": 120, "30d": 360 };

export interface UsagePoint {
  at: Date;
  cpuAvg: number;
  cpuMax: number;
  memAvgMb: number;
  memMaxMb: number;
  netAvgMbps: number;
  netMaxMbps: number;
  netMb: number;
}

/** One app's usage over a range, owner-scoped in the where clause. */
export async function usageSeries(db: Db, userId: number, appId: number, range: UsageRange, now = new Date()): Promise<UsagePoint[]> {
  const from = new Date(now.getTime() - USAGE_RANGES[range]);
  const step = STEP_MINUTES[range] * 60;
  return db.$queryRaw<UsagePoint[]>`
    SELECT to_timestamp(floor(extract(epoch FROM bucket_start) / ${step}) * ${step}) AS at,
           avg(cpu_avg)::float8 AS "cpuAvg", max(cpu_max)::float8 AS "cpuMax",
           (avg(mem_avg) / 1048576)::float8 AS "memAvgMb", (max(mem_max) / 1048576)::float8 AS "memMaxMb",
           avg(net_avg_mbps)::float8 AS "netAvgMbps", max(net_max_mbps)::float8 AS "netMaxMbps",
           (sum(net_bytes) / 1048576.0)::float8 AS "netMb"
    FROM usage_samples
    WHERE app_id = ${appId} AND user_id = ${userId} AND bucket_start >= ${from}
    GROUP BY 1 ORDER BY 1`;
}
