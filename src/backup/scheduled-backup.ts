import type { Logger } from "pino";
import { emitAlert, resolveAlertsBySource } from "../server/alerts/alert-manager";
import type { Db } from "../server/db/client";
import { pruneBackups } from "./backup-retention";
import { overdueAfterMs, type BackupSchedule } from "./backup-schedule";
import { writeBackup } from "./write-backup";

export interface ScheduledBackupDeps {
  db: Db;
  log: Logger;
  databaseUrl: string;
  now: () => Date;
}

/** Alerts about backups go to every administrator, under one source each (deduplicated while open). */
const SOURCE_TYPE = "platform_backup";

async function admins(db: Db): Promise<number[]> {
  return (await db.user.findMany({ where: { role: "admin" }, select: { id: true } })).map((u) => u.id);
}

async function raise(db: Db, sourceId: "failed" | "overdue", title: string, message: string): Promise<void> {
  for (const userId of await admins(db)) {
    await emitAlert(db, { userId, appId: null, kind: `backup_${sourceId}`, severity: "critical", sourceType: SOURCE_TYPE, sourceId, title, message });
  }
}

async function resolveAll(db: Db, sourceId: "failed" | "overdue"): Promise<void> {
  for (const userId of await admins(db)) await resolveAlertsBySource(db, userId, SOURCE_TYPE, sourceId);
}

/**
 * One scheduled backup: recorded in backup_runs, older files pruned to BACKUP_KEEP on success.
 * A failure is logged and raised as an alert rather than thrown, so pg-boss does not retry a
 * broken setup in a loop; the next slot tries again.
 */
export async function runScheduledBackup(deps: ScheduledBackupDeps, schedule: BackupSchedule): Promise<{ ok: boolean; file?: string; error?: string }> {
  const run = await deps.db.backupRun.create({ data: { status: "running", startedAt: deps.now() } });
  try {
    const result = await writeBackup({ databaseUrl: deps.databaseUrl, recipients: schedule.recipients, appSecret: schedule.appSecret, dir: schedule.dir, now: deps.now });
    const removed = pruneBackups(schedule.dir, schedule.keep);
    await deps.db.backupRun.update({ where: { id: run.id }, data: { status: "succeeded", finishedAt: deps.now(), file: result.file, bytes: BigInt(result.bytes) } });
    await resolveAll(deps.db, "failed");
    await resolveAll(deps.db, "overdue");
    deps.log.info({ file: result.file, bytes: result.bytes, pruned: removed.length }, "backup written");
    return { ok: true, file: result.file };
  } catch (err) {
    const error = (err as Error).message;
    await deps.db.backupRun.update({ where: { id: run.id }, data: { status: "failed", finishedAt: deps.now(), error } });
    deps.log.error({ err: error, dir: schedule.dir }, "backup failed");
    await raise(deps.db, "failed", "Backup failed", `The scheduled backup into ${schedule.dir} failed: ${error}`);
    return { ok: false, error };
  }
}

/**
 * Raises "backup overdue" when no backup succeeded within one and a half intervals (counted from
 * the newest success, else from the first attempt, else from when this process started), and
 * resolves it once one has.
 */
export async function checkBackupOverdue(deps: ScheduledBackupDeps, schedule: BackupSchedule, since: Date): Promise<boolean> {
  const newest = await deps.db.backupRun.findFirst({ where: { status: "succeeded" }, orderBy: { finishedAt: "desc" }, select: { finishedAt: true } });
  const first = newest ? null : await deps.db.backupRun.findFirst({ orderBy: { startedAt: "asc" }, select: { startedAt: true } });
  const reference = newest?.finishedAt ?? first?.startedAt ?? since;
  const overdue = deps.now().getTime() - reference.getTime() > overdueAfterMs(schedule);
  if (overdue) {
    await raise(deps.db, "overdue", "Backup overdue", `No backup has succeeded since ${reference.toISOString()} (BACKUP_INTERVAL_HOURS=${schedule.intervalHours}). Check the jobs process's log and ${schedule.dir}.`);
  } else {
    await resolveAll(deps.db, "overdue");
  }
  return overdue;
}
