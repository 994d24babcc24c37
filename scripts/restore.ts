/**
 * `npm run restore -- --file F --identity KEY [--database-url URL] [--app-secret-out FILE]`:
 * restores a backup into an empty database (DATABASE_URL unless --database-url), then applies
 * any newer migrations (docs/production.md, "Restore drills").
 */
import { existsSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { BackupKeyError, readIdentityFile } from "../src/backup/backup-keys";
import { BackupFileError } from "../src/backup/open-backup";
import { restoreBackup } from "../src/backup/restore-backup";
import { overlayCredentials } from "../src/server/config/credentials";
import { MigrationError } from "../src/server/db/migrator";

const { values } = parseArgs({
  options: {
    file: { type: "string" },
    identity: { type: "string" },
    "database-url": { type: "string" },
    "app-secret-out": { type: "string" },
  },
});

try {
  const env = overlayCredentials(process.env);
  const databaseUrl = values["database-url"] ?? env.DATABASE_URL;
  if (!values.file || !values.identity || !databaseUrl) {
    throw new BackupFileError("Usage: npm run restore -- --file BACKUP --identity KEY_FILE [--database-url postgres://…] [--app-secret-out FILE] (DATABASE_URL is used when --database-url is not given).");
  }
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new BackupFileError("The database URL must be a postgres:// or postgresql:// URL.");
  const secretOut = values["app-secret-out"];
  if (secretOut && existsSync(secretOut)) throw new BackupFileError(`${secretOut} exists; pick a new file for the APP_SECRET (an existing secret is never overwritten).`);
  const result = await restoreBackup({
    file: values.file,
    identities: readIdentityFile(values.identity),
    databaseUrl,
    // Writing the backup's secret out means the platform will run with it: nothing to compare.
    appSecret: secretOut ? undefined : env.APP_SECRET || undefined,
    log: (line) => console.log(line),
  });
  if (secretOut) {
    if (!result.manifest.appSecret) throw new BackupFileError("The backup was made without its APP_SECRET (--without-app-secret): use the one kept with it.");
    writeFileSync(secretOut, `${result.manifest.appSecret}\n`, { mode: 0o600, flag: "wx" });
    console.log(`Wrote the backup's APP_SECRET to ${secretOut} (use it as the app_secret credential).`);
  }
  const total = Object.values(result.rows).reduce((a, b) => a + b, 0);
  console.log(
    `Restored ${Object.keys(result.rows).length} tables (${total} rows) from a backup of ${result.manifest.createdAt}` +
      (result.upgraded.length > 0 ? `; applied newer migrations: ${result.upgraded.join(", ")}` : "") + ".",
  );
} catch (err) {
  if (err instanceof BackupFileError || err instanceof BackupKeyError || err instanceof MigrationError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
