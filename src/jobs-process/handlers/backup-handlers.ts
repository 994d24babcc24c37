import type { PgBoss } from "pg-boss";
import { backupScheduleFrom } from "../../backup/backup-schedule";
import { checkBackupOverdue, runScheduledBackup } from "../../backup/scheduled-backup";
import type { Services } from "../../server/runtime/services";

/** The backup queues (docs/production.md, "Backups"); only worked when BACKUP_INTERVAL_HOURS is set. */
export const BACKUP_QUEUES = { run: "backup.run", check: "backup.check" } as const;
const CHECK_SECONDS = 300;
const TICK_MS = 30_000;

/**
 * Scheduled backups, off by default. Every jobs process sends one throttled job per interval
 * slot (pg-boss keeps one per slot however many processes send), so exactly one backup is taken
 * per interval, and one overdue check every five minutes. Returns a stop function for the timer.
 */
export async function registerBackupHandlers(boss: PgBoss, services: Services, options: { startedAt: Date; tickMs?: number; ticks?: boolean }): Promise<() => void> {
  const schedule = backupScheduleFrom(services.config);
  if (!schedule) return () => undefined;
  const log = services.log.child({ component: "backup" });
  const deps = { db: services.db, log, databaseUrl: services.config.DATABASE_URL, now: () => new Date() };
  // A backup can take minutes on a large database; one at a time, never retried in a loop.
  const queues = { [BACKUP_QUEUES.run]: { retryLimit: 0, expireInSeconds: 3 * 3600, policy: "singleton" as const }, [BACKUP_QUEUES.check]: { retryLimit: 0, expireInSeconds: 120 } };
  for (const [name, opts] of Object.entries(queues)) {
    if (!(await boss.getQueue(name))) await boss.createQueue(name, opts).catch(() => undefined);
  }
  await boss.work(BACKUP_QUEUES.run, async () => {
    await runScheduledBackup(deps, schedule);
  });
  await boss.work(BACKUP_QUEUES.check, async () => {
    await checkBackupOverdue(deps, schedule, options.startedAt);
  });
  log.info({ intervalHours: schedule.intervalHours, dir: schedule.dir, keep: schedule.keep }, "scheduled backups on");
  if (options.ticks === false) return () => undefined;
  const fire = async () => {
    await boss.sendThrottled(BACKUP_QUEUES.run, {}, null, schedule.intervalHours * 3600, "backup").catch((err: Error) => log.warn({ err: err.message }, "could not send backup tick"));
    await boss.sendThrottled(BACKUP_QUEUES.check, {}, null, CHECK_SECONDS, "check").catch((err: Error) => log.warn({ err: err.message }, "could not send backup check"));
  };
  void fire();
  const timer = setInterval(() => void fire(), options.tickMs ?? TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
