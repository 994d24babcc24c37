import { z } from "zod";
import { recordAuditEvent } from "../../audit/record-audit-event";
import { conflict, notFound, validation } from "../../errors/domain-errors";
import { assertValidRepoUrl } from "../../git/repo-url";
import type { Services } from "../../runtime/services";
import type { Actor } from "../../auth/actor";
import { appIdInput, lockOwnedApp, type AppRef, type Tx } from "../app-access";
import { requestAssignment } from "../../jobs/request-assignment";
import { publishAppChanged } from "../publish-app-changed";
import { enqueueDeployment, type DeploymentTrigger } from "./enqueue-deployment";
import type { RollbackTarget } from "../../../protocol/job-payload";

type Deps = Pick<Services, "db" | "config" | "plans" | "cipher" | "queue" | "log" | "bus">;
type Caller = Pick<Actor, "userId" | "team" | "email" | "plan" | "audit">;

export const rollbackAppInput = appIdInput.extend({ deploymentId: z.number().int().positive() });

/**
 * A burst of deploys (bench:latency sends 200 at once) queues for the pool's connections; with
 * Prisma's default 2 s wait for one, the tail of the burst was refused while the head was still
 * being served. Waiting up to 10 s keeps every click (docs/performance.md).
 */
const DEPLOY_TRANSACTION = { maxWait: 10_000, timeout: 15_000 };

interface DeployOptions {
  trigger: DeploymentTrigger;
  rollbackOfId?: number;
}

async function run(deps: Deps, actor: Caller, appId: number, options: DeployOptions) {
  const result = await deps.db.$transaction(async (tx: Tx) => {
    const app = await lockOwnedApp(tx, actor, appId);
    if (!app.repoUrl) throw validation("Set the app's repository URL before deploying.");
    // The operator may have turned local repositories off since the app was created.
    assertValidRepoUrl(app.repoUrl, { allowLocal: deps.config.LOCAL_REPOS_ENABLED });
    const plan = deps.plans.for(actor.plan);
    let commit: { sha: string; message: string; branch: string } | undefined;
    let rollbackTarget: RollbackTarget | undefined;
    if (options.rollbackOfId !== undefined) {
      const target = await tx.deployment.findFirst({ where: { id: options.rollbackOfId, appId: app.id } });
      if (!target) throw notFound("Deployment");
      if (target.status !== "succeeded") throw validation("Only a deployment that succeeded can be rolled back to.");
      if (!target.commitSha) throw conflict("That deployment did not record its commit, so it cannot be rebuilt; deploy again instead.");
      commit = { sha: target.commitSha, message: target.commitMessage, branch: target.branch || app.branch };
      // The worker starts this image again when it still holds it (no rebuild), else builds the commit.
      rollbackTarget = { deploymentId: target.id, ...(target.image ? { imageTag: target.image } : {}) };
    }
    const deployment = await enqueueDeployment(tx, deps, {
      app,
      plan,
      actor,
      trigger: options.trigger,
      commit,
      rollbackOfId: options.rollbackOfId,
      rollbackTarget,
      pinToWorker: options.trigger === "redeploy",
    });
    // In the deploy's transaction: one commit (a WAL flush) per click instead of two.
    await recordAuditEvent(tx, {
      userId: actor.userId,
      kind: options.trigger === "rollback" ? "app_rollback" : "app_deploy",
      context: actor.audit,
      targetType: "deployment",
      targetId: deployment.id,
      metadata: { appId, trigger: options.trigger, rollbackOfId: options.rollbackOfId ?? null },
    });
    return { app: { ...app, status: "deploying" as const }, deployment };
  }, DEPLOY_TRANSACTION);
  await requestAssignment(deps);
  await publishAppChanged(deps, result.app);
  return result.deployment;
}

/** Builds the branch head with the current spec and env vars. */
export function deployApp(deps: Deps, actor: Caller, { appId }: AppRef) {
  return run(deps, actor, appId, { trigger: "manual" });
}

/** Rebuilds on the worker that already runs the app (any worker when it has none yet). */
export function redeployApp(deps: Deps, actor: Caller, { appId }: AppRef) {
  return run(deps, actor, appId, { trigger: "redeploy" });
}

/** A new deployment of an earlier successful deployment's commit. */
export function rollbackApp(deps: Deps, actor: Caller, { appId, deploymentId }: z.infer<typeof rollbackAppInput>) {
  return run(deps, actor, appId, { trigger: "rollback", rollbackOfId: deploymentId });
}
