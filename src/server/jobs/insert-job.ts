import type { JobType } from "../db/generated/client";
import { cipherContext, type SecretCipher } from "../crypto/secret-cipher";
import type { DeployPayload } from "../../protocol/job-payload";
import type { Plan } from "../plans/plans";
import type { Tx } from "../apps/app-access";

export interface NewJob {
  type: JobType;
  appId: number;
  deploymentId: number | null;
  /** Pinned jobs (restart/start/stop/delete, redeploys) go to the worker that holds the app. */
  workerId: number | null;
  payload: DeployPayload | null;
  plan: Plan;
  priority?: number;
}

/**
 * Inserts a pending job with its payload encrypted and bound to the app. The plan's CPU and
 * memory are recorded as the reservation the scheduler makes on the chosen worker.
 */
export async function insertJob(tx: Tx, cipher: SecretCipher, job: NewJob) {
  const payload = job.payload ? cipher.encrypt(JSON.stringify(job.payload), cipherContext.jobPayload(job.appId)) : "";
  const reserves = job.type === "deploy" || job.type === "restart" || job.type === "start";
  return tx.job.create({
    data: {
      type: job.type,
      appId: job.appId,
      deploymentId: job.deploymentId,
      workerId: job.workerId,
      status: "pending",
      priority: job.priority ?? 0,
      payload,
      reqCpu: reserves ? job.plan.cpu : 0,
      reqMem: reserves ? job.plan.memoryMb : 0,
    },
  });
}
