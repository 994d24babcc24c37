import { CPU_EPSILON } from "./worker-score";

/** A worker row locked by the pass, with its reservations as they stand inside the pass. */
export interface LockedWorker {
  id: number;
  status: string;
  cap_cpu: number;
  cap_mem: number;
  used_cpu: number;
  used_mem: number;
  running_apps: number;
}

export interface JobRequest {
  req_cpu: number;
  req_mem: number;
}

/** Same weights as WORKER_SCORE_SQL in ./worker-score.ts, computed in memory. */
export function workerScore(w: LockedWorker): number {
  return 0.4 * (w.used_cpu / w.cap_cpu) + 0.4 * (w.used_mem / w.cap_mem) + 0.2 * (Math.min(w.running_apps, 100) / 100);
}

export function fits(w: LockedWorker, job: JobRequest): boolean {
  return w.used_cpu + job.req_cpu <= w.cap_cpu + CPU_EPSILON && w.used_mem + job.req_mem <= w.cap_mem;
}

export function schedulable(w: LockedWorker): boolean {
  return w.status === "online" && w.cap_cpu > 0 && w.cap_mem > 0;
}

export function reserve(w: LockedWorker, job: JobRequest): void {
  w.used_cpu += job.req_cpu;
  w.used_mem += job.req_mem;
}

/** The lowest-score schedulable worker with room for the job (ties: lower id), or null. */
export function pickBest(workers: Iterable<LockedWorker>, job: JobRequest): LockedWorker | null {
  let best: LockedWorker | null = null;
  let bestScore = Infinity;
  for (const w of workers) {
    if (!schedulable(w) || !fits(w, job)) continue;
    const s = workerScore(w);
    if (s < bestScore || (s === bestScore && best !== null && w.id < best.id)) {
      best = w;
      bestScore = s;
    }
  }
  return best;
}
