import type { CompletedJob } from "./complete-job";
import { invalidateAppCache, publishQuietly, type WorkerServiceDeps } from "../workers/hub-deps";
import { requestAssignment } from "./request-assignment";

/**
 * What follows a committed job result: cache invalidation, live-page notifications, and the
 * platform events (deployment events for deploy and restart jobs only).
 */
export async function afterJobCompleted(deps: WorkerServiceDeps, done: CompletedJob): Promise<void> {
  await invalidateAppCache(deps.cache, done.appId, done.userId);
  // The finished job released its reservation: jobs waiting for capacity can be placed now
  // rather than at the next periodic sweep.
  if (deps.queue) void requestAssignment({ bus: deps.bus, queue: deps.queue, log: deps.log });
  publishQuietly(
    deps,
    deps.bus.publish("job.updated", {
      jobId: done.jobId,
      appId: done.appId,
      deploymentId: done.deploymentId,
      status: done.status,
      progress: done.progress,
      message: done.error ?? "",
    }),
    "job.updated",
  );
  if (done.userId) {
    publishQuietly(deps, deps.bus.publish("app.changed", { appId: done.appId, userId: done.userId, status: done.appStatus }), "app.changed");
  }
  if ((done.type === "deploy" || done.type === "restart") && done.userId) {
    await deps.events.emit({
      type: done.status === "completed" ? "deployment.succeeded" : "deployment.failed",
      userId: done.userId,
      appId: done.appId,
      data: {
        appName: done.appName,
        subdomain: done.subdomain,
        deploymentId: done.deploymentId,
        jobType: done.type,
        commitSha: done.commitSha,
        commitMessage: done.commitMessage,
        ...(done.error ? { error: done.error } : {}),
      },
    });
  }
}
