/**
 * `npm run backup`: writes one encrypted backup of DATABASE_URL (docs/production.md, "Backups").
 *   npm run backup -- --generate-key backup-key.txt   make a key pair; prints the public key for BACKUP_RECIPIENTS
 *   npm run backup [-- --dir DIR] [--recipient age1…] [--keep N] [--without-app-secret]
 */
import { existsSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { BackupKeyError, generateBackupKey, parseRecipients } from "../src/backup/backup-keys";
import { pruneBackups } from "../src/backup/backup-retention";
import { writeBackup } from "../src/backup/write-backup";
import { loadConfig } from "../src/server/config/config";
import { ConfigError } from "../src/server/config/env";

const { values } = parseArgs({
  options: {
    "generate-key": { type: "string" },
    dir: { type: "string" },
    recipient: { type: "string", multiple: true },
    keep: { type: "string" },
    "without-app-secret": { type: "boolean", default: false },
  },
});

try {
  if (values["generate-key"]) {
    const path = values["generate-key"];
    if (existsSync(path)) throw new BackupKeyError(`${path} exists; a key file is never overwritten. Pick another name.`);
    const key = await generateBackupKey();
    writeFileSync(path, key.identityFile, { mode: 0o600, flag: "wx" });
    console.log(`Wrote the secret identity to ${path}: keep it offline, restores need it.\nPublic key (set BACKUP_RECIPIENTS to it):\n${key.recipient}`);
    process.exit(0);
  }
  const config = loadConfig();
  const recipients = parseRecipients(values.recipient?.join(",") ?? config.BACKUP_RECIPIENTS);
  const dir = values.dir ?? config.BACKUP_DIR ?? `${config.dataDir}/backups`;
  const result = await writeBackup({ databaseUrl: config.DATABASE_URL, recipients, appSecret: values["without-app-secret"] || !config.BACKUP_INCLUDE_APP_SECRET ? null : config.APP_SECRET, dir });
  const total = Object.values(result.rows).reduce((a, b) => a + b, 0);
  console.log(`Wrote ${result.file} (${result.bytes} bytes, ${Object.keys(result.rows).length} tables, ${total} rows).`);
  if (values.keep) {
    const keep = Number(values.keep);
    if (!Number.isInteger(keep) || keep < 1) throw new BackupKeyError("--keep must be a whole number of backups, at least 1.");
    const removed = pruneBackups(dir, keep);
    if (removed.length > 0) console.log(`Removed ${removed.length} older backup(s): ${removed.join(", ")}`);
  }
} catch (err) {
  if (err instanceof ConfigError || err instanceof BackupKeyError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
