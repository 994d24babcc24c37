import type { Logger } from "pino";
import type { Bus } from "../bus/channels";
import { Prisma, type Db } from "../db/client";
import { fits, pickBest, reserve, schedulable, type LockedWorker } from "./assign-placement";
import { CPU_EPSILON, WORKER_SCORE_SQL } from "./worker-score";
import { plural } from "../../lib/plural";

type Tx = Prisma.TransactionClient;

export const ASSIGN_BATCH_SIZE = 500;

interface PendingJobRow {
  id: number;
  worker_id: number | null;
  deployment_id: number | null;
  /** A rollback's preference (not a pin): the worker that built and still may hold the target's image. */
  prefer_worker_id: number | null;
  req_cpu: number;
  req_mem: number;
  priority: number;
  created_at: Date;
}

/** Where a pass stopped in the queue order (priority desc, created_at, id); the next pass starts after it. */
export interface QueueCursor {
  priority: number;
  createdAt: Date;
  id: number;
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
  /** The last job the pass looked at, or null if it looked at none. */
  last: QueueCursor | null;
}

export interface AssignOptions {
  batchSize?: number;
  /** Look only at jobs queued after this one (assignAllPending walks the queue with it). */
  after?: QueueCursor | null;
  /** Test hook: runs inside the transaction after each job is placed (e.g. to be killed there). */
  afterEachJob?: (tx: Tx, jobId: number) => Promise<void>;
}

/** Fallback for a job no locked worker fits: picks the lowest-score online worker with room and reserves on it in one statement. */
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
  return { reason: noRoom(job) };
}

const WORKER_COLUMNS = Prisma.sql`id, status::text AS status, cap_cpu, cap_mem, used_cpu, used_mem, running_apps`;

/** Locks the workers the batch's jobs are pinned to (or, for rollbacks, prefer) that no other pass holds. */
async function lockPinned(tx: Tx, ids: number[]): Promise<LockedWorker[]> {
  if (ids.length === 0) return [];
  return tx.$queryRaw<LockedWorker[]>`
    SELECT ${WORKER_COLUMNS} FROM workers WHERE id = ANY(${ids}::int[]) ORDER BY id FOR UPDATE SKIP LOCKED`;
}

/**
 * Locks the best `limit` schedulable workers (lowest score first) with room for the smallest
 * request of the batch, skipping rows another pass holds, so two passes take disjoint workers.
 */
async function lockCandidates(tx: Tx, jobs: PendingJobRow[]): Promise<LockedWorker[]> {
  if (jobs.length === 0) return [];
  const minCpu = Math.min(...jobs.map((j) => j.req_cpu));
  const minMem = Math.min(...jobs.map((j) => j.req_mem));
  return tx.$queryRaw<LockedWorker[]>`
    SELECT ${WORKER_COLUMNS} FROM workers
    WHERE status = 'online' AND cap_cpu > 0 AND cap_mem > 0
      AND used_cpu + ${minCpu} <= cap_cpu + ${CPU_EPSILON} AND used_mem + ${minMem} <= cap_mem
    ORDER BY ${WORKER_SCORE_SQL}, id
    LIMIT ${jobs.length}
    FOR UPDATE SKIP LOCKED`;
}

/** Writes the pass's reservations in one statement; the guard turns any overrun into a rollback. */
async function writeReservations(tx: Tx, assigned: Assignment[], jobsById: Map<number, PendingJobRow>): Promise<void> {
  const delta = new Map<number, { cpu: number; mem: number }>();
  for (const a of assigned) {
    const job = jobsById.get(a.jobId)!;
    const d = delta.get(a.workerId) ?? { cpu: 0, mem: 0 };
    d.cpu += job.req_cpu;
    d.mem += job.req_mem;
    delta.set(a.workerId, d);
  }
  const ids = [...delta.keys()];
  const updated = await tx.$executeRaw`
    UPDATE workers w SET used_cpu = w.used_cpu + d.cpu, used_mem = w.used_mem + d.mem
    FROM unnest(${ids}::int[], ${ids.map((id) => delta.get(id)!.cpu)}::float8[], ${ids.map((id) => delta.get(id)!.mem)}::int[]) AS d(id, cpu, mem)
    WHERE w.id = d.id AND w.used_cpu + d.cpu <= w.cap_cpu + ${CPU_EPSILON} AND w.used_mem + d.mem <= w.cap_mem`;
  if (updated !== ids.length) throw new Error(`assignment pass would overrun ${plural(ids.length - updated, "worker")}; rolled back`);
}

/** Shapes (cpu/mem requests) for which some schedulable worker, locked or not, still has room. */
async function shapesThatFitSomewhere(tx: Tx, jobs: PendingJobRow[]): Promise<Set<string>> {
  const shapes = [...new Map(jobs.map((j) => [shapeKey(j), j])).values()];
  const rows = await tx.$queryRaw<{ cpu: number; mem: number }[]>`
    SELECT s.cpu, s.mem FROM unnest(${shapes.map((j) => j.req_cpu)}::float8[], ${shapes.map((j) => j.req_mem)}::int[]) AS s(cpu, mem)
    WHERE EXISTS (
      SELECT 1 FROM workers WHERE status = 'online' AND cap_cpu > 0 AND cap_mem > 0
        AND used_cpu + s.cpu <= cap_cpu + ${CPU_EPSILON} AND used_mem + s.mem <= cap_mem)`;
  return new Set(rows.map((r) => shapeKey({ req_cpu: r.cpu, req_mem: r.mem })));
}

/**
 * A rollback deploy prefers the worker that ran its target deployment with a recorded image
 * (deployments.image is set only by that deployment's own worker, src/server/jobs/complete-job.ts):
 * there the container runtime starts the image again instead of building the commit. A scalar
 * subquery, so `FOR UPDATE` still locks only the job rows.
 */
const PREFERRED_WORKER_SQL = Prisma.sql`(
  SELECT t.worker_id FROM deployments d JOIN deployments t ON t.id = d.rollback_of_id
  WHERE d.id = jobs.deployment_id AND t.image IS NOT NULL)`;

/**
 * The job's preferred worker when this pass holds it and it is online with room; else null and
 * the job is placed like any other (that worker rebuilds the commit). A preferred worker another
 * pass holds is not waited for: a rollback never waits behind image reuse.
 */
function preferredWorker(locked: Map<number, LockedWorker>, job: PendingJobRow): LockedWorker | null {
  const w = job.prefer_worker_id == null ? undefined : locked.get(job.prefer_worker_id);
  return w && schedulable(w) && fits(w, job) ? w : null;
}

const afterCursor = (c: QueueCursor | null | undefined) =>
  c ? Prisma.sql`AND (priority < ${c.priority} OR (priority = ${c.priority} AND (created_at, id) > (${c.createdAt}, ${c.id})))` : Prisma.empty;

const shapeKey = (j: { req_cpu: number; req_mem: number }) => `${j.req_cpu}/${j.req_mem}`;
const noRoom = (j: PendingJobRow) => `No online worker has ${j.req_cpu} CPU and ${j.req_mem} MiB free; the job starts when capacity frees up.`;

/**
 * One assignment pass, set-based: locks up to `batchSize` pending jobs with SKIP LOCKED
 * (priority first, then age), locks the workers they are pinned to (or a rollback prefers) and the best-scored workers
 * with room once (SKIP LOCKED, so a second jobs process takes other workers), places the jobs in
 * memory on the lowest-score worker that fits (./assign-placement.ts), and writes every
 * reservation and assignment in a few statements, all in one transaction. Jobs that fit none of
 * the locked workers fall back to a per-job pick among the rest (once per request shape). A crash
 * mid-pass rolls everything back, so no job is lost or doubled and no capacity leaks. Publishes
 * job.assigned after commit.
 */
export async function assignPendingJobs(db: Db, bus: Bus | null, options: AssignOptions = {}): Promise<AssignPassResult> {
  const batchSize = options.batchSize ?? ASSIGN_BATCH_SIZE;
  const result = await db.$transaction(
    async (tx) => {
      const jobs = await tx.$queryRaw<PendingJobRow[]>`
        SELECT id, worker_id, deployment_id, ${PREFERRED_WORKER_SQL} AS prefer_worker_id, req_cpu, req_mem, priority, created_at FROM jobs
        WHERE status = 'pending' ${afterCursor(options.after)}
        ORDER BY priority DESC, created_at ASC, id ASC
        LIMIT ${batchSize}
        FOR UPDATE SKIP LOCKED`;
      const jobsById = new Map(jobs.map((j) => [j.id, j]));
      const free = jobs.filter((j) => j.worker_id == null);
      // Preferred workers are locked with the pinned ones, so the pass can place a rollback there.
      const pinnedIds = [...new Set(jobs.flatMap((j) => (j.worker_id != null ? [j.worker_id] : j.prefer_worker_id != null ? [j.prefer_worker_id] : [])))];
      const locked = new Map<number, LockedWorker>();
      for (const w of [...(await lockPinned(tx, pinnedIds)), ...(await lockCandidates(tx, free))]) locked.set(w.id, w);

      const assigned: Assignment[] = [];
      const reasons: { id: number; reason: string }[] = [];
      const pinnedElsewhere: PendingJobRow[] = [];
      const unplaced: PendingJobRow[] = [];
      for (const job of jobs) {
        if (job.worker_id != null) {
          const w = locked.get(job.worker_id);
          if (!w) pinnedElsewhere.push(job);
          else if (w.status !== "online") reasons.push({ id: job.id, reason: `Waiting for worker #${w.id}, which is ${w.status}.` });
          else if (!fits(w, job)) reasons.push({ id: job.id, reason: `Worker #${w.id} has no room for ${job.req_cpu} CPU and ${job.req_mem} MiB yet.` });
          else {
            reserve(w, job);
            assigned.push({ jobId: job.id, workerId: w.id });
          }
        } else {
          const w = preferredWorker(locked, job) ?? pickBest(locked.values(), job);
          if (w) {
            reserve(w, job);
            assigned.push({ jobId: job.id, workerId: w.id });
          } else unplaced.push(job);
        }
        if (options.afterEachJob) await options.afterEachJob(tx, job.id);
      }
      if (assigned.length > 0) await writeReservations(tx, assigned, jobsById);

      let deferred = 0;
      if (pinnedElsewhere.length > 0) {
        // Not lockable: either another pass holds the worker (wait for it) or it is gone.
        const ids = [...new Set(pinnedElsewhere.map((j) => j.worker_id!))];
        const existing = new Set((await tx.$queryRaw<{ id: number }[]>`SELECT id FROM workers WHERE id = ANY(${ids}::int[])`).map((r) => r.id));
        for (const job of pinnedElsewhere) {
          if (existing.has(job.worker_id!)) deferred++;
          else reasons.push({ id: job.id, reason: `The worker this job is pinned to (#${job.worker_id}) no longer exists.` });
        }
      }
      if (unplaced.length > 0) {
        const fitting = await shapesThatFitSomewhere(tx, unplaced);
        const blocked = new Set<string>();
        for (const job of unplaced) {
          const key = shapeKey(job);
          if (!fitting.has(key)) reasons.push({ id: job.id, reason: noRoom(job) });
          else if (blocked.has(key)) deferred++;
          else {
            const placed = await reserveOnBest(tx, job);
            if (placed === null) {
              // Every worker with room is another pass's: later jobs of this shape wait too.
              blocked.add(key);
              deferred++;
            } else if ("reason" in placed) reasons.push({ id: job.id, reason: placed.reason });
            else assigned.push({ jobId: job.id, workerId: placed.workerId });
          }
        }
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
      const tail = jobs.at(-1);
      const last = tail ? { priority: tail.priority, createdAt: tail.created_at, id: tail.id } : null;
      return { assigned, noCapacity: reasons.length, deferred, examined: jobs.length, last };
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
  let noCapacity = 0;
  let deferred = 0;
  let last: AssignPassResult;
  let after: QueueCursor | null = null;
  do {
    last = await assignPendingJobs(db, bus, { ...options, after });
    passes++;
    assigned += last.assigned.length;
    noCapacity += last.noCapacity;
    deferred += last.deferred;
    // A full batch may have more behind it; the next pass starts after it in the queue, so jobs
    // that fit nowhere do not hide smaller ones queued behind them.
    after = last.last;
  } while (last.examined === batchSize && passes < 1_000);
  if (assigned > 0) log?.info({ assigned, passes, noCapacity }, "jobs assigned");
  return { assigned, noCapacity, retrySoon: deferred > 0, passes };
}
