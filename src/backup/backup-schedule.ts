import { isAbsolute, join, resolve } from "node:path";
import type { AppConfig } from "../server/config/config";
import { ConfigError } from "../server/config/env";
import { BackupKeyError, parseRecipients } from "./backup-keys";

export interface BackupSchedule {
  intervalHours: number;
  dir: string;
  recipients: string[];
  keep: number;
  appSecret: string | null;
}

/** The jobs process's backup schedule from the configuration; null when BACKUP_INTERVAL_HOURS is unset (off by default). */
export function backupScheduleFrom(config: AppConfig): BackupSchedule | null {
  if (config.BACKUP_INTERVAL_HOURS === undefined) return null;
  let recipients: string[];
  try {
    recipients = parseRecipients(config.BACKUP_RECIPIENTS);
  } catch (err) {
    if (err instanceof BackupKeyError) throw new ConfigError([`BACKUP_RECIPIENTS: ${err.message}`]);
    throw err;
  }
  const dir = config.BACKUP_DIR ? (isAbsolute(config.BACKUP_DIR) ? config.BACKUP_DIR : resolve(config.BACKUP_DIR)) : join(config.dataDir, "backups");
  return { intervalHours: config.BACKUP_INTERVAL_HOURS, dir, recipients, keep: config.BACKUP_KEEP, appSecret: config.BACKUP_INCLUDE_APP_SECRET ? config.APP_SECRET : null };
}

/** How long after the newest success a backup counts as overdue: one interval plus half of one. */
export function overdueAfterMs(schedule: BackupSchedule): number {
  return schedule.intervalHours * 3_600_000 * 1.5;
}
