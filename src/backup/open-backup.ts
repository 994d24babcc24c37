import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { createGunzip } from "node:zlib";
import { Decrypter } from "age-encryption";
import { backupManifest, type BackupManifest } from "./backup-format";
import { readLines } from "./backup-lines";

export class BackupFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupFileError";
  }
}

export interface OpenedBackup {
  manifest: BackupManifest;
  /** The lines after the manifest, decrypted and decompressed as they are read. */
  lines: AsyncGenerator<Buffer>;
}

/** Decrypts a backup with the operator's identities and reads its manifest (format: src/backup/backup-format.ts). */
export async function openBackup(file: string, identities: string[]): Promise<OpenedBackup> {
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  const encrypted = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
  let plain: ReadableStream<Uint8Array>;
  try {
    plain = await decrypter.decrypt(encrypted);
  } catch (err) {
    throw new BackupFileError(`Cannot decrypt ${file}: ${(err as Error).message}. Use the identity file whose public key the backup was made for (BACKUP_RECIPIENTS).`);
  }
  const gunzip = createGunzip();
  // pipeline, not pipe: a failed chunk check (a cut or altered file) must reach the reader as an error.
  pipeline(Readable.fromWeb(plain as NodeWebStream<Uint8Array>), gunzip).catch(() => undefined);
  const lines = damagedAsFileError(readLines(gunzip), file);
  const first = await lines.next();
  if (first.done) throw new BackupFileError(`${file} is empty after decryption: it is not a WiseHosting backup.`);
  let json: unknown;
  try {
    json = JSON.parse(first.value.toString("utf8"));
  } catch {
    throw new BackupFileError(`${file} does not start with a backup manifest: it is not a WiseHosting backup.`);
  }
  const parsed = backupManifest.safeParse(json);
  if (!parsed.success) {
    throw new BackupFileError(`${file} has a manifest this version cannot read (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}).`);
  }
  return { manifest: parsed.data, lines };
}

/** A chunk that fails age's authentication or gzip's check means a cut or altered file: say so. */
async function* damagedAsFileError(lines: AsyncGenerator<Buffer>, file: string): AsyncGenerator<Buffer> {
  try {
    yield* lines;
  } catch (err) {
    throw new BackupFileError(`${file} is cut off or altered (${(err as Error).message}); nothing was restored from it. Use another backup.`);
  }
}
