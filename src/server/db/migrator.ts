import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import pg from "pg";

/** The advisory lock id Prisma Migrate uses, so our migrator and `prisma migrate deploy` exclude each other. */
export const MIGRATION_LOCK_ID = 72707369;
export const DEFAULT_MIGRATIONS_DIR = resolve(import.meta.dirname, "../../../prisma/migrations");

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

export interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

export function readMigrations(dir = DEFAULT_MIGRATIONS_DIR): LocalMigration[] {
  if (!existsSync(dir)) throw new MigrationError(`migrations folder not found: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const BOOKKEEPING_DDL = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/**
 * Applies pending migrations from Prisma's folder layout, recording them in Prisma's own
 * `_prisma_migrations` table. One session-level advisory lock serialises concurrent starters;
 * a failed or edited migration stops everything with a message saying what to do.
 */
export async function migrate(
  connectionString: string,
  options: { dir?: string; log?: (msg: string) => void } = {},
): Promise<MigrateResult> {
  const migrations = readMigrations(options.dir);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    try {
      await client.query(BOOKKEEPING_DDL);
      const { rows } = await client.query<AppliedRow>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at, logs
           FROM "_prisma_migrations" ORDER BY started_at`,
      );
      const live = rows.filter((row) => row.rolled_back_at === null);
      const failed = live.find((row) => row.finished_at === null);
      if (failed) {
        throw new MigrationError(
          `Migration ${failed.migration_name} failed earlier and the database may be half-migrated:\n` +
            `${(failed.logs ?? "").trim() || "(no log)"}\n` +
            `Fix the cause, then mark it rolled back — \`npx prisma migrate resolve --rolled-back ${failed.migration_name}\` ` +
            `or UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${failed.migration_name}' — and start again.`,
        );
      }
      const appliedByName = new Map(live.map((row) => [row.migration_name, row]));
      for (const migration of migrations) {
        const row = appliedByName.get(migration.name);
        if (row && row.checksum !== migration.checksum) {
          throw new MigrationError(
            `Migration ${migration.name} was edited after it was applied (checksum ${row.checksum.slice(0, 12)}… in the database, ` +
              `${migration.checksum.slice(0, 12)}… on disk). Restore the original file (git checkout -- prisma/migrations/${migration.name}) ` +
              `and put the change in a new migration folder.`,
          );
        }
      }
      const pending = migrations.filter((m) => !appliedByName.has(m.name));
      for (const migration of pending) await applyOne(client, migration, options.log);
      return { applied: pending.map((m) => m.name), alreadyApplied: migrations.length - pending.length };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

async function applyOne(client: pg.Client, migration: LocalMigration, log?: (msg: string) => void): Promise<void> {
  const id = randomUUID();
  await client.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), 0)`,
    [id, migration.checksum, migration.name],
  );
  try {
    await client.query("BEGIN");
    await client.query(migration.sql);
    await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
    await client.query("COMMIT");
    log?.(`applied migration ${migration.name}`);
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    const message = err instanceof Error ? err.message : String(err);
    await client.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, message]);
    throw new MigrationError(
      `Migration ${migration.name} failed: ${message}\nNothing from it was kept (it ran in a transaction). ` +
        `Fix the SQL or the database, mark it rolled back (npx prisma migrate resolve --rolled-back ${migration.name}) and start again.`,
    );
  }
}
