import type { PgBoss } from "pg-boss";
import type { Services } from "../../server/runtime/services";
import { assignAllPending } from "../../server/jobs/assign-jobs";
import { recoverStuckJobs, stuckAfterMinutesFor } from "../../server/jobs/recover-stuck-jobs";
import { requestAssignment } from "../../server/jobs/request-assignment";
import { checkWorkerHealth } from "../../server/workers/worker-health";
import { QUEUES } from "../queue-names";

/** Assignment passes (event-driven and sweep), stuck-job recovery and worker health. */
export async function registerSchedulerHandlers(boss: PgBoss, services: Services): Promise<void> {
  const log = services.log.child({ component: "scheduler" });
  // One pass serves every request fetched with it, so a burst of requests costs one pass.
  await boss.work(QUEUES.assign, { batchSize: 50, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1 }, async () => {
    const result = await assignAllPending(services.db, services.bus, log);
    if (result.retrySoon) await requestAssignment(services);
  });
  await boss.work(QUEUES.stuckJobs, async () => {
    const result = await recoverStuckJobs(services.db, { bus: services.bus, events: services.events, stuckAfterMinutes: stuckAfterMinutesFor(services.plans) });
    if (result.failedJobIds.length > 0) {
      log.warn({ jobs: result.failedJobIds }, "stuck jobs marked failed");
      // Their capacity is free again: pending jobs may fit now.
      await requestAssignment(services);
    }
  });
  await boss.work(QUEUES.workerHealth, async () => {
    const result = await checkWorkerHealth(services.db, { bus: services.bus, events: services.events });
    if (result.offlineWorkerIds.length > 0) {
      log.warn({ workers: result.offlineWorkerIds, stoppedApps: result.stoppedAppIds.length }, "silent workers marked offline");
    }
  });
}
