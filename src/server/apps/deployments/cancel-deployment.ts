import { recordAuditEvent } from "../../audit/record-audit-event";
import type { Actor } from "../../auth/actor";
import { conflict } from "../../errors/domain-errors";
import { announceCancelledJobs, cancelActiveJobs } from "../../jobs/cancel-jobs";
import type { Services } from "../../runtime/services";
import { appIdInput, lockOwnedApp, type AppRef, type Tx } from "../app-access";
import { publishAppChanged } from "../publish-app-changed";

type Deps = Pick<Services, "db" | "queue" | "log" | "bus">;
type Caller = Pick<Actor, "userId" | "team" | "audit">;

export const cancelDeploymentInput = appIdInput;

/**
 * **Cancel deployment**: the app's running or queued deploy ends `cancelled` now; the worker
 * building it gets a `cancel` frame and stops the build (docs/worker-protocol.md, "Cancelling a
 * job"). The app goes back to what it was before the deploy: running its previous release, or
 * never deployed.
 */
export async function cancelDeployment(deps: Deps, actor: Caller, { appId }: AppRef) {
  const result = await deps.db.$transaction(async (tx: Tx) => {
    const app = await lockOwnedApp(tx, actor, appId);
    const active = await tx.job.findFirst({
      where: { appId: app.id, status: { in: ["pending", "assigned", "processing"] } },
      orderBy: { id: "desc" },
      select: { id: true, type: true, deploymentId: true },
    });
    if (!active || active.deploymentId === null) throw conflict("No deployment of this app is in progress; there is nothing to cancel.");
    const cancelled = await cancelActiveJobs(tx, app.id, "Deployment cancelled from the dashboard");
    // The worker keeps serving the previous release (a new one only takes traffic at the end).
    const status = app.currentDeploymentId !== null && app.workerId !== null ? "running" : "pending";
    const updated = await tx.app.update({ where: { id: app.id }, data: { status, statusReason: status === "pending" ? "deployment cancelled" : null } });
    return { app: updated, cancelled, deploymentId: active.deploymentId };
  });
  await recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: "deployment_cancel",
    context: actor.audit,
    targetType: "deployment",
    targetId: result.deploymentId,
    metadata: { appId },
  });
  await announceCancelledJobs(deps, result.cancelled);
  await publishAppChanged(deps, result.app);
  return { deploymentId: result.deploymentId, status: "cancelled" as const };
}
