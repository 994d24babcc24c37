import type { App } from "../../db/generated/client";
import type { Plan } from "../../plans/plans";
import type { Services } from "../../runtime/services";
import type { Actor } from "../../auth/actor";
import type { Tx } from "../app-access";
import { assertNoActiveJob } from "../../jobs/active-job";
import { buildDeployPayload } from "../../jobs/build-deploy-payload";
import { insertJob } from "../../jobs/insert-job";
import type { RollbackTarget } from "../../../protocol/job-payload";

export type DeploymentTrigger = "manual" | "push" | "rollback" | "redeploy";

export interface EnqueueDeploymentInput {
  app: App;
  plan: Plan;
  /** The user who asked, or null for a push. */
  actor: Pick<Actor, "userId" | "email"> | null;
  trigger: DeploymentTrigger;
  /** Who or what triggered it, as shown in the history (email, "github push by alice"). */
  triggeredBy?: string;
  commit?: { sha?: string; message?: string; branch?: string };
  rollbackOfId?: number;
  /** On a rollback: what the worker may reuse (payload.rollbackTarget). */
  rollbackTarget?: RollbackTarget;
  /** Redeploys stay on the worker that already holds the app. */
  pinToWorker?: boolean;
}

/**
 * A new deployment (first deploy, redeploy, rollback, push), inside the caller's transaction
 * (which holds the app row lock): refuse while another job is active, record the deployment with its commit
 * identity up front (so failure paths still carry it), enqueue the encrypted job, app → deploying.
 */
export async function enqueueDeployment(tx: Tx, deps: Pick<Services, "cipher">, input: EnqueueDeploymentInput) {
  const { app, plan } = input;
  await assertNoActiveJob(tx, app.id);
  const branch = input.commit?.branch ?? app.branch;
  const workerId = input.pinToWorker ? app.workerId : null;
  const deployment = await tx.deployment.create({
    data: {
      appId: app.id,
      userId: input.actor?.userId ?? app.userId,
      workerId,
      status: "pending",
      trigger: input.trigger,
      triggeredBy: input.triggeredBy ?? input.actor?.email ?? "",
      commitSha: input.commit?.sha ?? "",
      commitMessage: (input.commit?.message ?? "").slice(0, 2000),
      branch,
      rollbackOfId: input.rollbackOfId ?? null,
    },
  });
  const payload = await buildDeployPayload(tx, deps.cipher, app, plan, { commitSha: input.commit?.sha, branch, rollbackTarget: input.rollbackTarget });
  const job = await insertJob(tx, deps.cipher, {
    type: "deploy",
    appId: app.id,
    deploymentId: deployment.id,
    workerId,
    payload,
    plan,
  });
  await tx.app.update({ where: { id: app.id }, data: { status: "deploying", statusReason: null } });
  return { ...deployment, jobId: job.id };
}
