import { z } from "zod";
import { resolveAppAlerts } from "../alerts/alert-manager";
import { recordAuditEvent } from "../audit/record-audit-event";
import { DomainError } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import type { Actor } from "../auth/actor";
import { appIdInput, type AppRef, type Tx } from "./app-access";
import type { TeamScope } from "../teams/team-scope";
import { insertJob } from "../jobs/insert-job";
import { announceCancelledJobs, cancelActiveJobs } from "../jobs/cancel-jobs";
import { requestAssignment } from "../jobs/request-assignment";
import { publishAppChanged } from "./publish-app-changed";

type Deps = Pick<Services, "db" | "cipher" | "plans" | "queue" | "log" | "bus">;
type Caller = Pick<Actor, "userId" | "team" | "plan" | "audit">;

export const deleteAppInput = appIdInput.extend({ hard: z.boolean().default(false) });

function auditDelete(deps: Pick<Services, "db">, actor: Caller, app: { id: number; name: string }, hard: boolean) {
  return recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: "app_delete",
    context: actor.audit,
    targetType: "app",
    targetId: app.id,
    metadata: { name: app.name, hard },
  });
}

/** Jobs not yet running are cancelled so no worker picks them up after the delete. */
async function cancelQueuedJobs(tx: Tx, appId: number) {
  return tx.job.updateMany({
    where: { appId, status: { in: ["pending", "assigned"] } },
    data: { status: "cancelled", error: "app deleted", completedAt: new Date() },
  });
}

/** lockOwnedApp (app-access.ts), optionally over soft-deleted apps too (erasing one for good). */
async function lockAppForDelete(tx: Tx, scope: TeamScope, appId: number, includeDeleted: boolean) {
  const rows = await tx.$queryRaw<{ id: number }[]>`
    SELECT a.id FROM apps a
      JOIN teams t ON t.id = a.team_id AND t.deleted_at IS NULL
      JOIN team_members m ON m.team_id = a.team_id AND m.user_id = ${scope.userId}
     WHERE a.id = ${appId} AND a.team_id = ${scope.team.id} AND (${includeDeleted} OR a.deleted_at IS NULL)
       FOR UPDATE OF a`;
  if (rows.length === 0) throw new DomainError("NOT_FOUND", "App not found.");
  return tx.app.findUniqueOrThrow({ where: { id: appId } });
}

/** Deletes the app, or erases it for good with `hard`. */
export function deleteApp(deps: Deps, actor: Caller, input: z.infer<typeof deleteAppInput>) {
  return input.hard ? hardDeleteApp(deps, actor, input) : softDeleteApp(deps, actor, input);
}

/**
 * The app disappears from the dashboard at once, its queued and running jobs are cancelled (a
 * worker building it gets a `cancel` frame) and the worker holding it gets a pinned delete job to
 * remove the running process.
 */
export async function softDeleteApp(deps: Deps, actor: Caller, { appId }: AppRef) {
  const app = await deps.db.$transaction(async (tx: Tx) => {
    const app = await lockAppForDelete(tx, actor, appId, false);
    // Running jobs too: a build in progress is stopped on its worker (announced after the commit).
    const cancelled = await cancelActiveJobs(tx, app.id, "App deleted");
    await tx.deployment.updateMany({
      where: { appId: app.id, status: { in: ["pending", "building"] } },
      data: { status: "cancelled", finishedAt: new Date(), error: "app deleted" },
    });
    if (app.workerId) {
      await insertJob(tx, deps.cipher, {
        type: "delete",
        appId: app.id,
        deploymentId: null,
        workerId: app.workerId,
        payload: null,
        plan: deps.plans.for(actor.plan),
      });
    }
    await tx.domain.deleteMany({ where: { appId: app.id } });
    await resolveAppAlerts(tx, app.id);
    const deleted = await tx.app.update({
      where: { id: app.id },
      data: { status: "deleted", deletedAt: new Date(), autoDeploy: false, statusReason: "deleted by owner" },
    });
    return { ...deleted, cancelled };
  });
  await auditDelete(deps, actor, app, false);
  await announceCancelledJobs(deps, app.cancelled);
  if (app.workerId) await requestAssignment(deps);
  await publishAppChanged(deps, app);
  return { id: app.id, status: app.status };
}

/**
 * Cancels pending/assigned jobs and removes the row (deployments, env vars and domains go with
 * it; its runtime log lines are deleted) in one transaction. Refused while a worker is executing a job for the app, whose
 * result would otherwise land on nothing.
 */
export async function hardDeleteApp(deps: Deps, actor: Caller, { appId }: AppRef) {
  const app = await deps.db.$transaction(async (tx: Tx) => {
    const app = await lockAppForDelete(tx, actor, appId, true);
    const running = await tx.job.findFirst({ where: { appId: app.id, status: "processing" } });
    if (running) {
      throw new DomainError("CONFLICT", `A ${running.type} job is running for this app. Wait for it to finish, then delete permanently.`);
    }
    // Erasing the row of an app a worker still runs would leave its process behind with no owner.
    const removal = await tx.job.findFirst({ where: { appId: app.id, type: "delete", status: { in: ["pending", "assigned"] } } });
    if (removal) throw new DomainError("CONFLICT", "The worker is still removing this app. Try again in a moment.");
    if (app.workerId && app.status !== "deleted") {
      throw new DomainError("PRECONDITION_FAILED", "This app runs on a worker. Delete it first (the worker removes it), then erase it permanently.");
    }
    await cancelQueuedJobs(tx, app.id);
    // runtime_logs has no foreign key to apps (prisma/migrations/20261203110300_runtime_logs_app_without_fk).
    await tx.runtimeLog.deleteMany({ where: { appId: app.id } });
    await tx.app.delete({ where: { id: app.id } });
    return app;
  });
  await auditDelete(deps, actor, app, true);
  await publishAppChanged(deps, { ...app, status: "deleted" });
  return { id: app.id, status: "deleted" as const };
}
