import type { Services } from "../runtime/services";
import { getWorkerStats, listWorkersWithLoad } from "../workers/fleet-stats";

/**
 * The administrators' view of the fleet: every worker with its load and heartbeat, the fleet
 * aggregate (as the hub's /v1/stats reports it), and the pending jobs still waiting for a worker.
 */
export async function fleetOverview(deps: Pick<Services, "db">) {
  const { db } = deps;
  const [stats, workers] = await Promise.all([getWorkerStats(db), listWorkersWithLoad(db)]);
  const pending = await db.job.count({ where: { status: "pending" } });
  const waiting = await db.job.findMany({
    where: { status: "pending", pendingReason: { not: null } },
    orderBy: { createdAt: "asc" },
    take: 20,
    select: { id: true, type: true, appId: true, pendingReason: true, createdAt: true, reqCpu: true, reqMem: true },
  });
  return { stats, workers, pendingJobs: pending, waiting };
}
