import { z } from "zod";

/**
 * The backup file (docs/production.md, "Backups"): an age v1 file (X25519 recipients, so the
 * machine that writes backups holds only the public key) whose plaintext is gzip of:
 *
 *   line 1          the manifest, one JSON object (backupManifest below)
 *   per table       {"table":"<name>"} on its own line, then the rows exactly as
 *                   `COPY <table> (<columns>) TO STDOUT` writes them (text format: tab-separated,
 *                   backslash escapes, \N for NULL, one row per line), then a line `\.`
 *   last line       the trailer, one JSON object (backupTrailer): row counts, so a cut-off file
 *                   is told from a complete one
 *
 * So `age -d -i key.txt FILE | gunzip` shows it with standard tools. Tables come in the
 * manifest's order; restore (src/backup/restore-backup.ts) loads them with foreign keys and user
 * triggers set aside and puts them back afterwards.
 */
export const BACKUP_FORMAT = "wisehosting-backup";
export const BACKUP_VERSION = 1;
export const BACKUP_FILE_PREFIX = "wisehosting-";
export const BACKUP_FILE_SUFFIX = ".backup.age";

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, "must be a lowercase SQL identifier");

export const backupManifest = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  createdAt: z.iso.datetime(),
  /** server_version of the source database. */
  postgres: z.string(),
  /** The migrations the source had applied (name, SHA-256 of the file): restore applies exactly these before loading. */
  migrations: z.array(z.object({ name: z.string().min(1), checksum: z.string().regex(/^[0-9a-f]{64}$/) })).min(1),
  tables: z.array(z.object({ name: identifier, columns: z.array(identifier).min(1) })),
  sequences: z.array(z.object({ name: identifier, lastValue: z.string().regex(/^-?\d+$/), isCalled: z.boolean() })),
  /**
   * What is needed to read the encrypted columns later: APP_SECRET is the HKDF source of their keys
   * (src/server/crypto/secret-cipher.ts). Null when the backup was made with --without-app-secret.
   */
  appSecret: z.string().min(32).nullable(),
});
export type BackupManifest = z.infer<typeof backupManifest>;

export const tableHeader = z.object({ table: identifier });

export const backupTrailer = z.object({ end: z.literal(true), rows: z.record(z.string(), z.number().int().min(0)) });
export type BackupTrailer = z.infer<typeof backupTrailer>;

/** The line that ends a table's rows (COPY's own end-of-data marker; data lines never equal it). */
export const END_OF_ROWS = "\\.";

/** File name for a backup taken at `at`: sorts by time, so retention keeps the newest by name. */
export function backupFileName(at: Date): string {
  return `${BACKUP_FILE_PREFIX}${at.toISOString().replace(/[:.]/g, "-")}${BACKUP_FILE_SUFFIX}`;
}

/** Quotes a validated identifier for SQL. */
export function quoteIdent(name: string): string {
  return `"${identifier.parse(name)}"`;
}
