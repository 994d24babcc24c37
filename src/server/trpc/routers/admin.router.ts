import { getWorkerStats, listWorkersWithLoad } from "../../workers/fleet-stats";
import { adminProcedure, router } from "../trpc";

export const adminRouter = router({
  /** Every worker with load and heartbeat, plus the fleet aggregate (seed /v1/stats). */
  workers: adminProcedure.query(async ({ ctx }) => {
    const [stats, workers] = await Promise.all([getWorkerStats(ctx.services.db), listWorkersWithLoad(ctx.services.db)]);
    const pending = await ctx.services.db.job.count({ where: { status: "pending" } });
    const waiting = await ctx.services.db.job.findMany({
      where: { status: "pending", pendingReason: { not: null } },
      orderBy: { createdAt: "asc" },
      take: 20,
      select: { id: true, type: true, appId: true, pendingReason: true, createdAt: true, reqCpu: true, reqMem: true },
    });
    return { stats, workers, pendingJobs: pending, waiting };
  }),
});
