import type { Db } from "../db/client";

export interface WorkerStats {
  total: number;
  online: number;
  offline: number;
  draining: number;
  capCpu: number;
  usedCpu: number;
  capMem: number;
  usedMem: number;
  runningApps: number;
}

/** The fleet aggregate: the admin page shows it as is; `/v1/stats` serves it as `WorkerFleetStats`. */
export async function getWorkerStats(db: Db): Promise<WorkerStats> {
  const rows = await db.$queryRaw<WorkerStats[]>`
    SELECT count(*)::int AS total,
           count(*) FILTER (WHERE status = 'online')::int AS online,
           count(*) FILTER (WHERE status = 'offline')::int AS offline,
           count(*) FILTER (WHERE status = 'draining')::int AS draining,
           COALESCE(sum(cap_cpu), 0)::float8 AS "capCpu",
           COALESCE(sum(used_cpu), 0)::float8 AS "usedCpu",
           COALESCE(sum(cap_mem), 0)::float8 AS "capMem",
           COALESCE(sum(used_mem), 0)::float8 AS "usedMem",
           (SELECT count(*)::int FROM apps WHERE status = 'running' AND worker_id IS NOT NULL) AS "runningApps"
    FROM workers`;
  return rows[0]!;
}

export interface WorkerFleetStats {
  workers: { total: number; online: number; offline: number };
  cpu: { total: number; used: number };
  memory: { total: number; used: number };
}

/** Fleet totals for `/v1/stats`: "offline" there is every worker not online (draining included). */
export async function getWorkerFleetStats(db: Db): Promise<WorkerFleetStats> {
  const s = await getWorkerStats(db);
  return {
    workers: { total: s.total, online: s.online, offline: s.offline + s.draining },
    cpu: { total: s.capCpu, used: s.usedCpu },
    memory: { total: s.capMem, used: s.usedMem },
  };
}

export interface WorkerListRow {
  id: number;
  name: string;
  status: string;
  zone: string;
  regionName: string;
  ip: string;
  capCpu: number;
  usedCpu: number;
  capMem: number;
  usedMem: number;
  lastHeartbeat: Date | null;
  runningApps: number;
  activeJobs: number;
}

/** Every worker with its reserved capacity, last heartbeat and running-app count, for admins. */
export async function listWorkersWithLoad(db: Db): Promise<WorkerListRow[]> {
  return db.$queryRaw<WorkerListRow[]>`
    SELECT w.id, w.name, w.status::text AS status, w.zone, w.region_name AS "regionName", w.ip,
           w.cap_cpu AS "capCpu", w.used_cpu AS "usedCpu", w.cap_mem AS "capMem", w.used_mem AS "usedMem",
           w.last_heartbeat AS "lastHeartbeat",
           (SELECT count(*)::int FROM apps a WHERE a.worker_id = w.id AND a.status = 'running') AS "runningApps",
           (SELECT count(*)::int FROM jobs j WHERE j.worker_id = w.id AND j.status IN ('assigned', 'processing')) AS "activeJobs"
    FROM workers w
    ORDER BY w.status, w.name`;
}
