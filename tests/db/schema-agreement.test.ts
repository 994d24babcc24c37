import { readFileSync } from "node:fs";
import internals from "@prisma/internals";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

/**
 * Proves prisma/schema.prisma and the database produced by prisma/migrations agree: every model
 * is a table, every scalar field a column with the same type and nullability, every @@index,
 * @@unique, @unique and primary key an index, every relation a foreign key, every enum a type.
 */
type Dmmf = Awaited<ReturnType<typeof internals.getDMMF>>;
type Model = Dmmf["datamodel"]["models"][number];

const SCALAR_TO_PG: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Float: "double precision",
  Boolean: "boolean",
  DateTime: "timestamp(3) without time zone",
  Json: "jsonb",
  Decimal: "numeric(65,30)",
  Bytes: "bytea",
};

const NATIVE_TO_PG: Record<string, string> = {
  Timestamptz: "timestamp(3) with time zone",
  Uuid: "uuid",
};

let dmmf: Dmmf;
let database: TestDatabase;
let client: pg.Client;

const tableName = (m: Model) => m.dbName ?? m.name;
const columnName = (m: Model, field: string) => m.fields.find((f) => f.name === field)?.dbName ?? field;

beforeAll(async () => {
  dmmf = await internals.getDMMF({ datamodel: readFileSync("prisma/schema.prisma", "utf8") });
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

describe("schema.prisma and the migrated database", () => {
  it("have the same tables", async () => {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual(dmmf.datamodel.models.map(tableName).sort());
  });

  it("have the same enums and values", async () => {
    const { rows } = await client.query<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    );
    const actual = Object.fromEntries(rows.map((r) => [r.typname, r.labels]));
    const expected = Object.fromEntries(
      dmmf.datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]),
    );
    expect(actual).toEqual(expected);
  });

  it("have the same columns, types and nullability", async () => {
    const { rows } = await client.query<{ table_name: string; column_name: string; type: string; not_null: boolean }>(
      `SELECT c.relname AS table_name, a.attname AS column_name,
              format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          AND c.relname <> '_prisma_migrations'`,
    );
    const actual = rows.map((r) => `${r.table_name}.${r.column_name}: ${r.type}${r.not_null ? "" : " NULL"}`).sort();
    const expected: string[] = [];
    for (const model of dmmf.datamodel.models) {
      for (const field of model.fields) {
        if (field.kind === "object") continue;
        const native = field.nativeType?.[0];
        let type =
          field.kind === "enum"
            ? `"${field.type}"`
            : native
              ? NATIVE_TO_PG[native] ?? native.toLowerCase()
              : SCALAR_TO_PG[field.type]!;
        if (field.isList) type += "[]";
        const nullable = !field.isRequired || field.isList;
        expected.push(`${tableName(model)}.${field.dbName ?? field.name}: ${type}${nullable ? " NULL" : ""}`);
      }
    }
    expect(actual).toEqual(expected.sort());
  });

  it("have the same indexes, uniques and primary keys", async () => {
    const { rows } = await client.query<{ table_name: string; columns: string[]; is_unique: boolean; is_primary: boolean }>(
      `SELECT t.relname AS table_name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
              array_agg(a.attname ORDER BY k.ord)::text[] AS columns
         FROM pg_index ix
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
        GROUP BY t.relname, ix.indexrelid, ix.indisunique, ix.indisprimary`,
    );
    const kind = (unique: boolean, primary: boolean) => (primary ? "pk" : unique ? "unique" : "index");
    const actual = rows.map((r) => `${r.table_name}(${r.columns.join(",")}) ${kind(r.is_unique, r.is_primary)}`).sort();
    const expected = dmmf.datamodel.indexes.map((index) => {
      const model = dmmf.datamodel.models.find((m) => m.name === index.model)!;
      const cols = index.fields.map((f) => columnName(model, f.name));
      const k = index.type === "id" ? "pk" : index.type === "unique" ? "unique" : "index";
      return `${tableName(model)}(${cols.join(",")}) ${k}`;
    });
    expect(actual).toEqual(expected.sort());
  });

  it("have a foreign key, indexed, for every relation", async () => {
    const { rows } = await client.query<{ table_name: string; columns: string[]; ref_table: string; on_delete: string }>(
      `SELECT c.conrelid::regclass::text AS table_name, c.confrelid::regclass::text AS ref_table,
              c.confdeltype::text AS on_delete,
              array_agg(a.attname ORDER BY k.ord)::text[] AS columns
         FROM pg_constraint c
         CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
        WHERE c.contype = 'f' GROUP BY c.oid, c.conrelid, c.confrelid, c.confdeltype`,
    );
    const deleteCode: Record<string, string> = { Cascade: "c", SetNull: "n", Restrict: "r", NoAction: "a" };
    const actual = rows.map((r) => `${r.table_name}(${r.columns.join(",")}) -> ${r.ref_table} ${r.on_delete}`).sort();
    const expected: string[] = [];
    for (const model of dmmf.datamodel.models) {
      for (const field of model.fields) {
        if (field.kind !== "object" || !field.relationFromFields?.length) continue;
        const target = dmmf.datamodel.models.find((m) => m.name === field.type)!;
        const cols = field.relationFromFields.map((f) => columnName(model, f));
        const onDelete = deleteCode[field.relationOnDelete ?? (field.isRequired ? "Restrict" : "SetNull")];
        expected.push(`${tableName(model)}(${cols.join(",")}) -> ${tableName(target)} ${onDelete}`);
        // Every foreign key is covered by an index whose leading columns are the key.
        const covered = dmmf.datamodel.indexes.some(
          (i) =>
            i.model === model.name &&
            i.fields.slice(0, field.relationFromFields!.length).map((f) => f.name).join(",") ===
              field.relationFromFields!.join(","),
        );
        expect(covered, `${model.name}.${field.name} foreign key has no index`).toBe(true);
      }
    }
    expect(actual).toEqual(expected.sort());
  });
});
