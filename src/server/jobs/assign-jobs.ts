import type { Logger } from "pino";
import type { Bus } from "../bus/channels";
import { Prisma, type Db } from "../db/client";
import { CPU_EPSILON, WORKER_SCORE_SQL } from "./worker-score";

type Tx = Prisma.TransactionClient;

export const ASSIGN_BATCH_SIZE = 100;

interface PendingJobRow {
  id: number;
  worker_id: number | null;
  deployment_id: number | null;
  req_cpu: number;
  req_mem: number;
}

export interface Assignment {
  jobId: number;
  workerId: number;
}

export interface AssignPassResult {
  assigned: Assignment[];
  /** Jobs left pending because no online worker has room (they carry a pending_reason). */
  noCapacity: number;
  /** Jobs left pending because the only workers with room were locked by another pass. */
  deferred: number;
  /** How many pending jobs the pass looked at. */
  examined: number;
}

export interface AssignOptions {
  batchSize?: number;
  /** Test hook: runs inside the transaction after each job is placed (e.g. to be killed there). */
  afterEachJob?: (tx: Tx, jobId: number) => Promise<void>;
}

/** Reserves capacity on one specific worker, or returns null if it is offline, full or locked. */
async function reserveOnPinned(tx: Tx, job: PendingJobRow): Promise<{ workerId: number } | { reason: string } | null> {
  const locked = await tx.$queryRaw<{ id: number; status: string; fits: boolean }[]>`
    SELECT id, status::text AS status,
           (used_cpu + ${job.req_cpu} <= cap_cpu + ${CPU_EPSILON} AND used_mem + ${job.req_mem} <= cap_mem) AS fits
    FROM workers WHERE id = ${job.worker_id} FOR UPDATE SKIP LOCKED`;
  if (locked.length === 0) {
    const exists = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM workers WHERE id = ${job.worker_id}`;
    return exists.length === 0 ? { reason: `The worker this job is pinned to (#${job.worker_id}) no longer exists.` } : null;
  }
  const w = locked[0]!;
  if (w.status !== "online") return { reason: `Waiting for worker #${w.id}, which is ${w.status}.` };
  if (!w.fits) return { reason: `Worker #${w.id} has no room for ${job.req_cpu} CPU and ${job.req_mem} MiB yet.` };
  await tx.$executeRaw`
    UPDATE workers SET used_cpu = used_cpu + ${job.req_cpu}, used_mem = used_mem + ${job.req_mem}
    WHERE id = ${w.id}`;
  return { workerId: w.id };
}

/** Picks the lowest-score online worker with room and reserves on it in one statement. */
async function reserveOnBest(tx: Tx, job: PendingJobRow): Promise<{ workerId: number } | { reason: string } | null> {
  const rows = await tx.$queryRaw<{ id: number }[]>`
    WITH pick AS (
      SELECT id FROM workers
      WHERE status = 'online' AND cap_cpu > 0 AND cap_mem > 0
        AND used_cpu + ${job.req_cpu} <= cap_cpu + ${CPU_EPSILON} AND used_mem + ${job.req_mem} <= cap_mem
      ORDER BY ${WORKER_SCORE_SQL}, id
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    )
    UPDATE workers w SET used_cpu = w.used_cpu + ${job.req_cpu}, used_mem = w.used_mem + ${job.req_mem}
    FROM pick
    WHERE w.id = pick.id
      AND w.used_cpu + ${job.req_cpu} <= w.cap_cpu + ${CPU_EPSILON} AND w.used_mem + ${job.req_mem} <= w.cap_mem
    RETURNING w.id`;
  if (rows.length > 0) return { workerId: rows[0]!.id };
  // Nothing we could lock: is that because another pass holds the only workers with room?
  const someFit = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM workers
    WHERE status = 'online' AND cap_cpu > 0 AND cap_mem > 0
      AND used_cpu + ${job.req_cpu} <= cap_cpu + ${CPU_EPSILON} AND used_mem + ${job.req_mem} <= cap_mem`;
  if ((someFit[0]?.n ?? 0) > 0) return null;
  return { reason: `No online worker has ${job.req_cpu} CPU and ${job.req_mem} MiB free; the job starts when capacity frees up.` };
}

/**
 * One assignment pass: locks up to `batchSize` pending jobs with
 * SKIP LOCKED (priority first, then age), reserves capacity on the chosen worker with a guard,
 * marks the jobs assigned, all in one transaction. A crash mid-pass rolls everything back, so no
 * job is lost or doubled and no capacity leaks. Publishes job.assigned after commit.
 */
export async function assignPendingJobs(db: Db, bus: Bus | null, options: AssignOptions = {}): Promise<AssignPassResult> {
  const batchSize = options.batchSize ?? ASSIGN_BATCH_SIZE;
  const result = await db.$transaction(
    async (tx) => {
      const jobs = await tx.$queryRaw<PendingJobRow[]>`
        SELECT id, worker_id, deployment_id, req_cpu, req_mem FROM jobs
        WHERE status = 'pending'
        ORDER BY priority DESC, created_at ASC, id ASC
        LIMIT ${batchSize}
        FOR UPDATE SKIP LOCKED`;
      const assigned: Assignment[] = [];
      const reasons: { id: number; reason: string }[] = [];
      let deferred = 0;
      for (const job of jobs) {
        const placed = job.worker_id != null ? await reserveOnPinned(tx, job) : await reserveOnBest(tx, job);
        if (placed === null) deferred++;
        else if ("reason" in placed) reasons.push({ id: job.id, reason: placed.reason });
        else assigned.push({ jobId: job.id, workerId: placed.workerId });
        if (options.afterEachJob) await options.afterEachJob(tx, job.id);
      }
      if (assigned.length > 0) {
        const ids = assigned.map((a) => a.jobId);
        const workers = assigned.map((a) => a.workerId);
        await tx.$executeRaw`
          UPDATE jobs j SET status = 'assigned', worker_id = a.worker_id, assigned_at = now(), pending_reason = NULL, updated_at = now()
          FROM unnest(${ids}::int[], ${workers}::int[]) AS a(job_id, worker_id)
          WHERE j.id = a.job_id`;
        await tx.$executeRaw`
          UPDATE deployments d SET worker_id = j.worker_id
          FROM jobs j WHERE j.id = ANY(${ids}::int[]) AND d.id = j.deployment_id`;
      }
      if (reasons.length > 0) {
        await tx.$executeRaw`
          UPDATE jobs j SET pending_reason = r.reason, updated_at = now()
          FROM unnest(${reasons.map((r) => r.id)}::int[], ${reasons.map((r) => r.reason)}::text[]) AS r(job_id, reason)
          WHERE j.id = r.job_id AND j.pending_reason IS DISTINCT FROM r.reason`;
      }
      return { assigned, noCapacity: reasons.length, deferred, examined: jobs.length };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
  if (bus) {
    for (const a of result.assigned) await bus.publish("job.assigned", a).catch(() => undefined);
  }
  return result;
}

/**
 * Runs passes until no more work can be placed now. Returns totals; `retrySoon` is true when
 * jobs were deferred behind another pass's locks (the caller asks for another pass).
 */
export async function assignAllPending(
  db: Db,
  bus: Bus | null,
  log?: Logger,
  options: AssignOptions = {},
): Promise<{ assigned: number; noCapacity: number; retrySoon: boolean; passes: number }> {
  const batchSize = options.batchSize ?? ASSIGN_BATCH_SIZE;
  let assigned = 0;
  let passes = 0;
  let last: AssignPassResult;
  do {
    last = await assignPendingJobs(db, bus, options);
    passes++;
    assigned += last.assigned.length;
    // A full batch that placed something may have more behind it; a batch that placed nothing
    // would select the same jobs again.
  } while (last.examined === batchSize && last.assigned.length > 0 && passes < 1_000);
  if (assigned > 0) log?.info({ assigned, passes, noCapacity: last.noCapacity }, "jobs assigned");
  return { assigned, noCapacity: last.noCapacity, retrySoon: last.deferred > 0, passes };
}
