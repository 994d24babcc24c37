import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { migrate, readMigrations } from "../server/db/migrator";
import { backupTrailer, END_OF_ROWS, quoteIdent, tableHeader, type BackupManifest } from "./backup-format";
import { BackupFileError, openBackup } from "./open-backup";

export interface RestoreOptions {
  file: string;
  identities: string[];
  /** An empty database (no tables in its public schema). */
  databaseUrl: string;
  /** The APP_SECRET the restored platform will run with: refused before anything is written when it differs from the backup's. */
  appSecret?: string;
  /** Migrations folder (default prisma/migrations). */
  migrationsDir?: string;
  log?: (line: string) => void;
}

export interface RestoreResult {
  manifest: BackupManifest;
  rows: Record<string, number>;
  /** Migrations newer than the backup, applied after its data was loaded. */
  upgraded: string[];
}

/**
 * Restores a backup into an empty database: the backup's own migrations first (so its rows fit),
 * then every table in one transaction with foreign keys dropped and user triggers disabled (rows
 * keep their stored values; a trigger that numbers rows must not renumber them), constraints
 * re-added and validated, sequences set; then any newer migrations, as an upgrade would run them.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const log = options.log ?? (() => undefined);
  const { manifest, lines } = await openBackup(options.file, options.identities);
  if (options.appSecret !== undefined && manifest.appSecret !== null && manifest.appSecret !== options.appSecret) {
    throw new BackupFileError(
      "The APP_SECRET configured here differs from the one in the backup, so encrypted env vars, tokens and 2FA secrets would not decrypt. " +
        "Run restore with --app-secret-out FILE and start the platform with that secret (or unset APP_SECRET for the restore).",
    );
  }
  await assertEmpty(options.databaseUrl);
  const local = new Map(readMigrations(options.migrationsDir).map((m) => [m.name, m]));
  const subset = mkdtempSync(join(tmpdir(), "wh-restore-migrations-"));
  try {
    for (const m of manifest.migrations) {
      const mine = local.get(m.name);
      if (!mine) throw new BackupFileError(`The backup's schema includes migration ${m.name}, which this checkout lacks: restore with the release that made the backup, or a newer one.`);
      if (mine.checksum !== m.checksum) throw new BackupFileError(`Migration ${m.name} here differs from the one the backup was made with (checksum): restore with the release that made the backup.`);
      mkdirSync(join(subset, m.name));
      writeFileSync(join(subset, m.name, "migration.sql"), mine.sql);
    }
    await migrate(options.databaseUrl, { dir: subset });
  } finally {
    rmSync(subset, { recursive: true, force: true });
  }
  log(`schema at ${manifest.migrations.at(-1)!.name}; loading ${manifest.tables.length} tables`);
  const rows = await loadTables(options.databaseUrl, manifest, lines);
  const upgraded = (await migrate(options.databaseUrl, { dir: options.migrationsDir })).applied;
  return { manifest, rows, upgraded };
}

async function assertEmpty(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')`,
    );
    if (rows[0]!.n > 0) {
      throw new BackupFileError("The target database is not empty (its public schema has tables). Restore into a new database: CREATE DATABASE wisehosting_restored; then point DATABASE_URL at it.");
    }
  } finally {
    await client.end();
  }
}

async function loadTables(databaseUrl: string, manifest: BackupManifest, lines: AsyncGenerator<Buffer>): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "wisehosting-restore" });
  await client.connect();
  try {
    await client.query("BEGIN");
    const fks = await client.query<{ table: string; name: string; def: string }>(
      `SELECT c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS def
         FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype = 'f' AND n.nspname = 'public' ORDER BY c.relname, k.conname`,
    );
    for (const fk of fks.rows) await client.query(`ALTER TABLE ${quoteIdent(fk.table)} DROP CONSTRAINT "${fk.name.replace(/"/g, '""')}"`);
    for (const t of manifest.tables) await client.query(`ALTER TABLE ${quoteIdent(t.name)} DISABLE TRIGGER USER`);

    const rows: Record<string, number> = {};
    for (const table of manifest.tables) {
      const header = await lines.next();
      if (header.done) throw cutOff();
      const parsed = tableHeader.safeParse(safeJson(header.value));
      if (!parsed.success || parsed.data.table !== table.name) throw new BackupFileError(`The backup is damaged: expected the rows of ${table.name}.`);
      rows[table.name] = await copyRows(client, table, lines);
    }
    const last = await lines.next();
    const trailer = last.done ? null : backupTrailer.safeParse(safeJson(last.value));
    if (!trailer?.success) throw cutOff();
    for (const [name, count] of Object.entries(trailer.data.rows)) {
      if (rows[name] !== count) throw new BackupFileError(`The backup is damaged: ${name} should have ${count} rows, ${rows[name] ?? 0} were read.`);
    }
    // Reading to the end lets age check the final chunk: a truncated file fails here, before COMMIT.
    if (!(await lines.next()).done) throw new BackupFileError("The backup has data after its trailer: it is damaged.");

    for (const s of manifest.sequences) await client.query("SELECT setval($1::regclass, $2::bigint, $3)", [quoteIdent(s.name), s.lastValue, s.isCalled]);
    for (const t of manifest.tables) await client.query(`ALTER TABLE ${quoteIdent(t.name)} ENABLE TRIGGER USER`);
    for (const fk of fks.rows) await client.query(`ALTER TABLE ${quoteIdent(fk.table)} ADD CONSTRAINT "${fk.name.replace(/"/g, '""')}" ${fk.def}`);
    await client.query("COMMIT");
    return rows;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Streams one table's COPY text rows into COPY FROM STDIN until the end-of-rows line. */
async function copyRows(client: pg.Client, table: BackupManifest["tables"][number], lines: AsyncGenerator<Buffer>): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${quoteIdent(table.name)} (${table.columns.map(quoteIdent).join(", ")}) FROM STDIN`));
  let failure: Error | null = null;
  stream.on("error", (err: Error) => (failure = err));
  const done = new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
  });
  const newline = Buffer.from("\n");
  let batch: Buffer[] = [];
  let size = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const ok = stream.write(Buffer.concat(batch));
    batch = [];
    size = 0;
    if (!ok && !failure) await Promise.race([once(stream, "drain"), done]);
  };
  try {
    for (;;) {
      if (failure) throw failure;
      const next = await lines.next();
      if (next.done) throw cutOff();
      if (next.value.length === END_OF_ROWS.length && next.value.toString("latin1") === END_OF_ROWS) break;
      batch.push(next.value, newline);
      size += next.value.length + 1;
      if (size >= 256 * 1024) await flush();
    }
    await flush();
  } catch (err) {
    // Ends the COPY with CopyFail, so the connection leaves COPY mode and the ROLLBACK can run.
    stream.destroy(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
  stream.end();
  await done;
  return stream.rowCount;
}

function safeJson(line: Buffer): unknown {
  try {
    return JSON.parse(line.toString("utf8"));
  } catch {
    return null;
  }
}

function cutOff(): BackupFileError {
  return new BackupFileError("The backup ends early: the file is cut off or damaged. Use another backup.");
}
