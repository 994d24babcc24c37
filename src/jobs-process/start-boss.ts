import { PgBoss, type Queue } from "pg-boss";
import type { Logger } from "pino";
import { QUEUES } from "./queue-names";

type QueueOptions = Omit<Queue, "name">;

/**
 * How fast a job taken by a jobs process that then died (kill -9, power loss) is handed back. A
 * running handler refreshes its job's heartbeat every HEARTBEAT_SECONDS / 2 (pg-boss does it);
 * pg-boss fails a job whose heartbeat is older than HEARTBEAT_SECONDS (its minimum) into a retry,
 * but only in a monitor pass: the supervisor wakes every SUPERVISE_SECONDS and runs a queue's
 * monitor pass once MONITOR_SECONDS have passed since the last one (any process's). pg-boss's
 * default monitor interval is 60 s, which made a mail a killed process held wait up to 70 s plus
 * its retry delay (the fault suite's jobs-1 case took 83 s). Now the worst case is
 * HEARTBEAT_SECONDS + MONITOR_SECONDS + SUPERVISE_SECONDS = 25 s, then the queue's retry delay.
 * Without heartbeats such a job would wait for expireInSeconds (minutes). The monitor pass also
 * counts the queue's jobs, one indexed aggregate over pg-boss's table: cheap at this cadence.
 */
const HEARTBEAT_SECONDS = 10;
const SUPERVISE_SECONDS = 5;
const MONITOR_SECONDS = 10;
/** For queues whose jobs must not wait minutes after a crash: mail, outbound webhooks, events. */
const crashSafe = { heartbeatSeconds: HEARTBEAT_SECONDS };

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
  [QUEUES.webhookDelivery]: { notify: true, retryLimit: 2, retryDelay: 5, expireInSeconds: 120, ...crashSafe },
  [QUEUES.email]: { notify: true, retryLimit: 8, retryDelay: 15, retryBackoff: true, expireInSeconds: 120, ...crashSafe },
  [QUEUES.platformEvents]: { notify: true, retryLimit: 5, retryBackoff: true, expireInSeconds: 300, ...crashSafe },
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
    superviseIntervalSeconds: SUPERVISE_SECONDS,
    monitorIntervalSeconds: MONITOR_SECONDS,
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
