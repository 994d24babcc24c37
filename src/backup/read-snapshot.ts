import type pg from "pg";
import { quoteIdent, type BackupManifest } from "./backup-format";

/**
 * What a backup holds, read inside the caller's REPEATABLE READ transaction: every table of the
 * public schema but the migrator's bookkeeping (the manifest lists the migrations instead), each
 * with its stored columns (generated ones are recomputed on restore), and every sequence.
 * pg-boss's own schema is left out: its queue is work in flight, not platform state.
 */
export async function describeSnapshot(client: pg.Client): Promise<Pick<BackupManifest, "postgres" | "migrations" | "tables" | "sequences">> {
  const version = await client.query<{ server_version: string }>("SHOW server_version");
  const migrations = await client.query<{ name: string; checksum: string }>(
    `SELECT migration_name AS name, checksum FROM "_prisma_migrations"
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  const columns = await client.query<{ table: string; column: string }>(
    `SELECT c.relname AS table, a.attname AS column
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> '_prisma_migrations'
      ORDER BY c.relname, a.attnum`,
  );
  const tables: BackupManifest["tables"] = [];
  for (const row of columns.rows) {
    const last = tables.at(-1);
    if (last?.name === row.table) last.columns.push(row.column);
    else tables.push({ name: row.table, columns: [row.column] });
  }
  const sequenceNames = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'S' ORDER BY c.relname`,
  );
  // Sequences are not transactional: a value read now is at least what any row in this snapshot
  // used, which is all a restore needs (gaps are harmless, repeats are not).
  const sequences: BackupManifest["sequences"] = [];
  for (const { name } of sequenceNames.rows) {
    const value = await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${quoteIdent(name)}`);
    sequences.push({ name, lastValue: value.rows[0]!.last_value, isCalled: value.rows[0]!.is_called });
  }
  return { postgres: version.rows[0]!.server_version, migrations: migrations.rows, tables, sequences };
}
