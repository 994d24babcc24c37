import { recordAuditEvent } from "../../audit/record-audit-event";
import { conflict, notFound, validation } from "../../errors/domain-errors";
import { assertValidRepoUrl } from "../../git/repo-url";
import type { Services } from "../../runtime/services";
import type { Actor } from "../actor";
import { lockOwnedApp, type Tx } from "../app-access";
import { requestAssignment } from "../../jobs/request-assignment";
import { publishAppChanged } from "../publish-app-changed";
import { enqueueDeployment, type DeploymentTrigger } from "./enqueue-deployment";

interface DeployOptions {
  trigger: DeploymentTrigger;
  rollbackOfId?: number;
}

async function run(services: Services, actor: Actor, appId: number, options: DeployOptions) {
  const result = await services.db.$transaction(async (tx: Tx) => {
    const app = await lockOwnedApp(tx, actor.userId, appId);
    if (!app.repoUrl) throw validation("Set the app's repository URL before deploying.");
    // The operator may have turned local repositories off since the app was created.
    assertValidRepoUrl(app.repoUrl, { allowLocal: services.config.LOCAL_REPOS_ENABLED });
    const plan = services.plans.for(actor.plan);
    let commit: { sha: string; message: string; branch: string } | undefined;
    if (options.rollbackOfId !== undefined) {
      const target = await tx.deployment.findFirst({ where: { id: options.rollbackOfId, appId: app.id } });
      if (!target) throw notFound("Deployment");
      if (target.status !== "succeeded") throw validation("Only a deployment that succeeded can be rolled back to.");
      if (!target.commitSha) throw conflict("That deployment did not record its commit, so it cannot be rebuilt; deploy again instead.");
      commit = { sha: target.commitSha, message: target.commitMessage, branch: target.branch || app.branch };
    }
    const deployment = await enqueueDeployment(tx, services, {
      app,
      plan,
      actor,
      trigger: options.trigger,
      commit,
      rollbackOfId: options.rollbackOfId,
      pinToWorker: options.trigger === "redeploy",
    });
    return { app: { ...app, status: "deploying" as const }, deployment };
  });
  await recordAuditEvent(services.db, {
    userId: actor.userId,
    kind: options.trigger === "rollback" ? "app_rollback" : "app_deploy",
    context: actor.audit,
    targetType: "deployment",
    targetId: result.deployment.id,
    metadata: { appId, trigger: options.trigger, rollbackOfId: options.rollbackOfId ?? null },
  });
  await requestAssignment(services);
  await publishAppChanged(services, result.app);
  return result.deployment;
}

/** Builds the branch head with the current spec and env vars. */
export function deployApp(services: Services, actor: Actor, appId: number) {
  return run(services, actor, appId, { trigger: "manual" });
}

/** Rebuilds on the worker that already runs the app (any worker when it has none yet). */
export function redeployApp(services: Services, actor: Actor, appId: number) {
  return run(services, actor, appId, { trigger: "redeploy" });
}

/** A new deployment of an earlier successful deployment's commit. */
export function rollbackApp(services: Services, actor: Actor, appId: number, deploymentId: number) {
  return run(services, actor, appId, { trigger: "rollback", rollbackOfId: deploymentId });
}
