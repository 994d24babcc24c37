import type { AuditKind } from "../audit/audit-kinds";
import { recordAuditEvent } from "../audit/record-audit-event";
import { DomainError } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import type { Actor } from "../auth/actor";
import { lockOwnedApp, type AppRef, type Tx } from "./app-access";
import { assertNoActiveJob } from "../jobs/active-job";
import { buildDeployPayload } from "../jobs/build-deploy-payload";
import { insertJob } from "../jobs/insert-job";
import { requestAssignment } from "../jobs/request-assignment";

type LifecycleAction = "restart" | "start" | "stop";
type Deps = Pick<Services, "db" | "plans" | "cipher" | "queue" | "log" | "bus">;
type Caller = Pick<Actor, "userId" | "team" | "plan" | "audit">;

const AUDIT: Record<LifecycleAction, AuditKind> = { restart: "app_restart", start: "app_start", stop: "app_stop" };

/**
 * Restart/start/stop go to the worker that holds the app (a job pinned to it). The app's status
 * changes when the worker reports the result, not here.
 */
async function pinnedJob(deps: Deps, actor: Caller, { appId }: AppRef, action: LifecycleAction) {
  const job = await deps.db.$transaction(async (tx: Tx) => {
    const app = await lockOwnedApp(tx, actor, appId);
    if (!app.workerId) {
      throw new DomainError("PRECONDITION_FAILED", "This app has not been deployed to a worker yet. Deploy it first.");
    }
    if (action === "stop" && app.status === "stopped") {
      throw new DomainError("PRECONDITION_FAILED", "The app is already stopped.");
    }
    if (action === "start" && (app.status === "running" || app.status === "deploying")) {
      throw new DomainError("PRECONDITION_FAILED", `The app is already ${app.status}.`);
    }
    await assertNoActiveJob(tx, app.id);
    const plan = deps.plans.for(actor.plan);
    const payload = action === "stop" ? null : await buildDeployPayload(tx, deps.cipher, app, plan);
    return insertJob(tx, deps.cipher, {
      type: action,
      appId: app.id,
      deploymentId: null,
      workerId: app.workerId,
      payload,
      plan,
    });
  });
  await recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: AUDIT[action],
    context: actor.audit,
    targetType: "app",
    targetId: appId,
    metadata: { jobId: job.id },
  });
  await requestAssignment(deps);
  return { jobId: job.id, type: job.type, status: job.status };
}

export const restartApp = (deps: Deps, actor: Caller, input: AppRef) => pinnedJob(deps, actor, input, "restart");
export const startApp = (deps: Deps, actor: Caller, input: AppRef) => pinnedJob(deps, actor, input, "start");
export const stopApp = (deps: Deps, actor: Caller, input: AppRef) => pinnedJob(deps, actor, input, "stop");
