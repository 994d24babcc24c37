import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_MIGRATIONS_DIR, migrate, MigrationError, readMigrations } from "../../src/server/db/migrator";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

const databases: TestDatabase[] = [];
async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrated: false });
  databases.push(db);
  return db;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

function migrationsCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "wh-migrations-"));
  cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

function addMigration(dir: string, name: string, sql: string): void {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, "migration.sql"), sql);
}

afterAll(async () => {
  for (const db of databases) await db.drop();
});

describe("migrator", () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await emptyDatabase();
  });

  it("applies every migration once and records it in Prisma's table with its checksum", async () => {
    const first = await migrate(db.url);
    expect(first.applied).toEqual(readMigrations().map((m) => m.name));
    const second = await migrate(db.url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(first.applied.length);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      db.url,
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"`,
    );
    expect(rows).toHaveLength(first.applied.length);
    expect(rows[0]!.checksum).toBe(readMigrations()[0]!.checksum);
    expect(rows[0]!.finished_at).not.toBeNull();
    expect(rows[0]!.applied_steps_count).toBe(1);
  });

  it("serialises two migrators started at once: each migration applied exactly once", async () => {
    const results = await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url)]);
    const appliedCounts = results.map((r) => r.applied.length).sort();
    expect(appliedCounts).toEqual([0, 0, readMigrations().length]);
    const rows = await query<{ n: string }>(db.url, `SELECT count(*) AS n FROM "_prisma_migrations"`);
    expect(Number(rows[0]!.n)).toBe(readMigrations().length);
  });

  it("keeps nothing of a failed migration and then refuses to start, saying what to do", async () => {
    const dir = migrationsCopy();
    addMigration(dir, "20991231000000_broken", `CREATE TABLE half_done (id int);\nSELECT no_such_function();`);
    await expect(migrate(db.url, { dir })).rejects.toThrow(/20991231000000_broken failed: .*no_such_function/s);
    const tables = await query<{ n: string }>(db.url, `SELECT count(*) AS n FROM pg_tables WHERE tablename = 'half_done'`);
    expect(Number(tables[0]!.n)).toBe(0);
    const second = migrate(db.url, { dir });
    await expect(second).rejects.toBeInstanceOf(MigrationError);
    await expect(migrate(db.url, { dir })).rejects.toThrow(/failed earlier.*migrate resolve --rolled-back 20991231000000_broken/s);
  });

  it("runs again once the failed migration is marked rolled back and fixed", async () => {
    const dir = migrationsCopy();
    addMigration(dir, "20991231000000_fixme", `SELECT no_such_function();`);
    await expect(migrate(db.url, { dir })).rejects.toThrow(MigrationError);
    await query(db.url, `UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '20991231000000_fixme'`);
    writeFileSync(join(dir, "20991231000000_fixme", "migration.sql"), "CREATE TABLE fixed_now (id int);");
    const result = await migrate(db.url, { dir });
    expect(result.applied).toContain("20991231000000_fixme");
  });

  it("refuses to start when an applied migration was edited", async () => {
    const dir = migrationsCopy();
    await migrate(db.url, { dir });
    const first = readMigrations(dir)[0]!;
    writeFileSync(join(dir, first.name, "migration.sql"), `${first.sql}\n-- edited\n`);
    await expect(migrate(db.url, { dir })).rejects.toThrow(/was edited after it was applied.*new migration folder/s);
  });

  it("says where it looked when the migrations folder is missing", async () => {
    await expect(migrate(db.url, { dir: "/nonexistent/migrations" })).rejects.toThrow(/migrations folder not found/);
  });
});
