import type { WorkerServiceDeps } from "../workers/hub-deps";

/**
 * Remembers which image a deployment ran (`job_result.runtime.image` of its deploy job), so a
 * later rollback to it can send the image to the worker (src/server/apps/deployments/deploy-app.ts,
 * `payload.rollbackTarget`). Only the deployment's own worker may set it.
 */
export async function recordDeploymentImage(deps: Pick<WorkerServiceDeps, "db">, workerId: number, deploymentId: number, image: string): Promise<void> {
  await deps.db.deployment.updateMany({ where: { id: deploymentId, workerId }, data: { image } });
}
