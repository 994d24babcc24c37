import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BACKUP_FILE_PREFIX, BACKUP_FILE_SUFFIX } from "./backup-format";

/**
 * Deletes all but the newest `keep` backups in a folder. Names sort by time
 * (backupFileName in src/backup/backup-format.ts); files that are not backups are never touched.
 */
export function pruneBackups(dir: string, keep: number): string[] {
  const backups = readdirSync(dir)
    .filter((name) => name.startsWith(BACKUP_FILE_PREFIX) && name.endsWith(BACKUP_FILE_SUFFIX))
    .sort()
    .reverse();
  const removed = backups.slice(keep);
  for (const name of removed) rmSync(join(dir, name), { force: true });
  return removed;
}
