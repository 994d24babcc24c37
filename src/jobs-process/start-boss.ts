import { PgBoss, type Queue } from "pg-boss";
import type { Logger } from "pino";
import { QUEUES } from "./queue-names";

type QueueOptions = Omit<Queue, "name">;

/** Per-queue settings. Handlers are idempotent, so pg-boss retries after a crash are safe. */
const QUEUE_OPTIONS: Record<string, QueueOptions> = {
  [QUEUES.assign]: { notify: true, retryLimit: 3, retryDelay: 1, expireInSeconds: 120 },
  [QUEUES.stuckJobs]: { retryLimit: 1, expireInSeconds: 300 },
  [QUEUES.workerHealth]: { retryLimit: 1, expireInSeconds: 300 },
  [QUEUES.alertTick]: { retryLimit: 0, expireInSeconds: 120 },
  [QUEUES.usageTick]: { retryLimit: 1, expireInSeconds: 120 },
  [QUEUES.pruneSessions]: { retryLimit: 2, expireInSeconds: 900 },
  [QUEUES.pruneUsage]: { retryLimit: 2, expireInSeconds: 900 },
  [QUEUES.pruneRuntimeLogs]: { retryLimit: 2, expireInSeconds: 900 },
  [QUEUES.pruneHeartbeats]: { retryLimit: 2, expireInSeconds: 300 },
  // Delivery retries with Retry-After are scheduled by the delivery service itself; pg-boss
  // retries only cover a process dying mid-attempt.
  [QUEUES.webhookDelivery]: { notify: true, retryLimit: 2, retryDelay: 30, expireInSeconds: 120 },
  [QUEUES.email]: { notify: true, retryLimit: 8, retryDelay: 15, retryBackoff: true, expireInSeconds: 120 },
  [QUEUES.platformEvents]: { notify: true, retryLimit: 5, retryBackoff: true, expireInSeconds: 300 },
};

export interface StartBossOptions {
  connectionString: string;
  log: Logger;
  /** pg-boss connection pool size for this process. */
  max?: number;
}

/** Starts pg-boss (schema "pgboss") with every queue the jobs process works created or updated. */
export async function startBoss(options: StartBossOptions): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: "pgboss",
    max: options.max ?? 6,
    useListenNotify: true,
  });
  boss.on("error", (err: Error) => options.log.error({ err: err.message }, "pg-boss error"));
  boss.on("warning", (w: unknown) => options.log.warn({ warning: w }, "pg-boss warning"));
  await boss.start();
  await ensureQueues(boss);
  return boss;
}

/** Creates missing queues; queues a sender created first with defaults get our settings. */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  for (const [name, opts] of Object.entries(QUEUE_OPTIONS)) {
    const existing = await boss.getQueue(name);
    if (!existing) {
      // Another jobs process may create it between our check and create; that is fine.
      await boss.createQueue(name, opts).catch(() => undefined);
    }
    await boss.updateQueue(name, opts);
  }
}
