import type { Db } from "../db/client";

export interface WorkerFleetStats {
  workers: { total: number; online: number; offline: number };
  cpu: { total: number; used: number };
  memory: { total: number; used: number };
}

/** Seed GetWorkerStats: fleet totals; `used` is the capacity reserved by assigned jobs and apps. */
export async function getWorkerFleetStats(db: Db): Promise<WorkerFleetStats> {
  const rows = await db.$queryRaw<
    { total: bigint; online: bigint; offline: bigint; cpu_total: number | null; cpu_used: number | null; mem_total: bigint | null; mem_used: bigint | null }[]
  >`SELECT count(*) AS total,
           count(*) FILTER (WHERE status = 'online') AS online,
           count(*) FILTER (WHERE status <> 'online') AS offline,
           sum(cap_cpu) AS cpu_total, sum(used_cpu) AS cpu_used,
           sum(cap_mem) AS mem_total, sum(used_mem) AS mem_used
      FROM workers`;
  const r = rows[0]!;
  return {
    workers: { total: Number(r.total), online: Number(r.online), offline: Number(r.offline) },
    cpu: { total: r.cpu_total ?? 0, used: r.cpu_used ?? 0 },
    memory: { total: Number(r.mem_total ?? 0), used: Number(r.mem_used ?? 0) },
  };
}
