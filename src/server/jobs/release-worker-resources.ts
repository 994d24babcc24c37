import type { Prisma } from "../db/client";

type Executor = Pick<Prisma.TransactionClient, "$executeRaw">;

/**
 * Gives a job's reserved capacity back to its worker. Never goes
 * below zero. Call it exactly once per job, in the same transaction that moves the job out of
 * assigned/processing, so a concurrent stuck-job recovery cannot release it a second time.
 */
export async function releaseWorkerResources(db: Executor, workerId: number, cpu: number, mem: number): Promise<void> {
  await db.$executeRaw`
    UPDATE workers SET used_cpu = GREATEST(used_cpu - ${cpu}, 0), used_mem = GREATEST(used_mem - ${mem}, 0)
    WHERE id = ${workerId}`;
}
