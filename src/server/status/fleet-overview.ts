import type { Services } from "../runtime/services";
import { getWorkerStats, listWorkersWithLoad } from "../workers/fleet-stats";

/**
 * What each worker holds for the apps it runs: their plans' CPU and memory. The workers table's
 * used_cpu/used_mem only carry the reservations of jobs in progress (released when a job ends),
 * so "reserved" on the admin page is both together: a running 1-CPU app shows as 1 CPU.
 */
async function runningAppReservations(deps: Pick<Services, "db" | "plans">) {
  const apps = await deps.db.app.findMany({ where: { status: "running", workerId: { not: null }, deletedAt: null }, select: { workerId: true, plan: true } });
  const byWorker = new Map<number, { cpu: number; mem: number }>();
  for (const a of apps) {
    const plan = deps.plans.for(a.plan);
    const held = byWorker.get(a.workerId!) ?? { cpu: 0, mem: 0 };
    byWorker.set(a.workerId!, { cpu: held.cpu + plan.cpu, mem: held.mem + plan.memoryMb });
  }
  return byWorker;
}

/**
 * The administrators' view of the fleet: every worker with its load and heartbeat, the fleet
 * aggregate, and the pending jobs still waiting for a worker. Reserved CPU and memory count the
 * running apps' plans plus the jobs in progress.
 */
export async function fleetOverview(deps: Pick<Services, "db" | "plans">) {
  const { db } = deps;
  const [rawStats, rawWorkers, apps] = await Promise.all([getWorkerStats(db), listWorkersWithLoad(db), runningAppReservations(deps)]);
  const workers = rawWorkers.map((w) => {
    const held = apps.get(w.id) ?? { cpu: 0, mem: 0 };
    return { ...w, jobCpu: w.usedCpu, jobMem: w.usedMem, usedCpu: w.usedCpu + held.cpu, usedMem: w.usedMem + held.mem };
  });
  const appTotals = [...apps.values()].reduce((t, h) => ({ cpu: t.cpu + h.cpu, mem: t.mem + h.mem }), { cpu: 0, mem: 0 });
  const stats = { ...rawStats, usedCpu: rawStats.usedCpu + appTotals.cpu, usedMem: rawStats.usedMem + appTotals.mem };
  const pending = await db.job.count({ where: { status: "pending" } });
  const waiting = await db.job.findMany({
    where: { status: "pending", pendingReason: { not: null } },
    orderBy: { createdAt: "asc" },
    take: 20,
    select: { id: true, type: true, appId: true, pendingReason: true, createdAt: true, reqCpu: true, reqMem: true },
  });
  return { stats, workers, pendingJobs: pending, waiting };
}
