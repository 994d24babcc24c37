import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { Encrypter } from "age-encryption";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { BACKUP_FORMAT, BACKUP_VERSION, backupFileName, END_OF_ROWS, quoteIdent, type BackupManifest } from "./backup-format";
import { describeSnapshot } from "./read-snapshot";

export interface WriteBackupOptions {
  databaseUrl: string;
  /** age recipients (src/backup/backup-keys.ts). */
  recipients: string[];
  /** Stored inside the encrypted file so encrypted columns can be read after a restore; null leaves it out. */
  appSecret: string | null;
  /** Folder the file goes to (created if missing). */
  dir: string;
  now?: () => Date;
}

export interface BackupResult {
  file: string;
  bytes: number;
  createdAt: Date;
  rows: Record<string, number>;
}

/**
 * Writes one backup (format: src/backup/backup-format.ts). Every table is read inside one
 * REPEATABLE READ READ ONLY transaction, so the file is one consistent moment even while the
 * platform keeps writing. The file appears under its final name only when complete.
 */
export async function writeBackup(options: WriteBackupOptions): Promise<BackupResult> {
  const createdAt = (options.now ?? (() => new Date()))();
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const file = join(options.dir, backupFileName(createdAt));
  const partial = `${file}.${randomBytes(4).toString("hex")}.partial`;
  const client = new pg.Client({ connectionString: options.databaseUrl, application_name: "wisehosting-backup" });
  await client.connect();
  const rows: Record<string, number> = {};
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    // The first statement fixes the snapshot; everything after reads that moment.
    const described = await describeSnapshot(client);
    const manifest: BackupManifest = { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: createdAt.toISOString(), ...described, appSecret: options.appSecret };
    const encrypter = new Encrypter();
    for (const r of options.recipients) encrypter.addRecipient(r);
    const gzip = createGzip({ level: 6 });
    const plain = Readable.from(payload(client, manifest, rows));
    const compressed = Readable.toWeb(plain.pipe(gzip)) as ReadableStream<Uint8Array>;
    plain.on("error", (err) => gzip.destroy(err));
    const encrypted = await encrypter.encrypt(compressed);
    await pipeline(Readable.fromWeb(encrypted as unknown as NodeWebStream<Uint8Array>), createWriteStream(partial, { mode: 0o600 }));
    await client.query("COMMIT");
    renameSync(partial, file);
    return { file, bytes: statSync(file).size, createdAt, rows };
  } catch (err) {
    rmSync(partial, { force: true });
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function* payload(client: pg.Client, manifest: BackupManifest, rows: Record<string, number>): AsyncGenerator<Buffer> {
  yield Buffer.from(`${JSON.stringify(manifest)}\n`);
  for (const table of manifest.tables) {
    yield Buffer.from(`${JSON.stringify({ table: table.name })}\n`);
    const columns = table.columns.map(quoteIdent).join(", ");
    // A SELECT works for partitioned tables too, where COPY <table> TO does not.
    const stream = client.query(copyTo(`COPY (SELECT ${columns} FROM ${quoteIdent(table.name)}) TO STDOUT`));
    for await (const chunk of stream) yield chunk as Buffer;
    rows[table.name] = stream.rowCount;
    yield Buffer.from(`${END_OF_ROWS}\n`);
  }
  yield Buffer.from(`${JSON.stringify({ end: true, rows })}\n`);
}
