import type { PgBoss } from "pg-boss";
import type { Logger } from "pino";
import { QUEUES } from "./queue-names";

/** Sub-minute and per-minute ticks: every jobs process sends, pg-boss keeps one job per slot. */
const TICKS: { queue: string; seconds: number }[] = [
  { queue: QUEUES.assign, seconds: 30 },
  { queue: QUEUES.alertTick, seconds: 30 },
  { queue: QUEUES.usageTick, seconds: 60 },
  { queue: QUEUES.workerHealth, seconds: 60 },
  { queue: QUEUES.stuckJobs, seconds: 60 },
];

/** Longer periods use pg-boss cron (at most one firing a minute, which these are well above). */
const CRONS: { queue: string; cron: string }[] = [
  { queue: QUEUES.pruneSessions, cron: "7 */6 * * *" },
  { queue: QUEUES.pruneUsage, cron: "17 3 * * *" },
  { queue: QUEUES.pruneRuntimeLogs, cron: "27 * * * *" },
  { queue: QUEUES.pruneHeartbeats, cron: "*/10 * * * *" },
];

/** Starts the tick timers and registers the cron schedules; returns a stop function. */
export async function startPeriodicTicks(boss: PgBoss, log: Logger, options: { tickMs?: number } = {}): Promise<() => void> {
  for (const c of CRONS) await boss.schedule(c.queue, c.cron, null, { tz: "UTC" });
  const fire = async () => {
    for (const tick of TICKS) {
      await boss.sendThrottled(tick.queue, {}, null, tick.seconds, "tick").catch((err: Error) => log.warn({ err: err.message, queue: tick.queue }, "could not send tick"));
    }
  };
  void fire();
  // Checking every 5 s keeps each tick within a few seconds of its slot start.
  const timer = setInterval(() => void fire(), options.tickMs ?? 5_000);
  timer.unref();
  return () => clearInterval(timer);
}
