import { readFileSync } from "node:fs";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { z } from "zod";

/**
 * The operator's backup key is an age X25519 key pair: backups are encrypted to the public
 * recipient (`age1…`, safe to put in the environment of every jobs process), and only the secret
 * identity (`AGE-SECRET-KEY-1…`, kept offline) restores them. `age-keygen` makes the same keys.
 */
const recipient = z.string().regex(/^age1[02-9ac-hj-np-z]{50,}$/, "must be an age recipient such as age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p");
const identityLine = /^AGE-SECRET-KEY-1[0-9A-Z]+$/;

export class BackupKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupKeyError";
  }
}

/** Parses BACKUP_RECIPIENTS / --recipient: comma- or space-separated age recipients. */
export function parseRecipients(value: string | undefined): string[] {
  const list = (value ?? "").split(/[\s,]+/).filter(Boolean);
  if (list.length === 0) {
    throw new BackupKeyError("No backup recipient: set BACKUP_RECIPIENTS (or pass --recipient) to the public key printed by `npm run backup -- --generate-key`.");
  }
  for (const entry of list) {
    const parsed = recipient.safeParse(entry);
    if (!parsed.success) throw new BackupKeyError(`Backup recipient "${entry.slice(0, 16)}…" ${parsed.error.issues[0]!.message}.`);
  }
  return list;
}

/** Reads the identities from an identity file (age-keygen's format: comments and AGE-SECRET-KEY-1 lines). */
export function readIdentityFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new BackupKeyError(`Cannot read the backup identity file ${path}: ${(err as Error).message}`);
  }
  const identities = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  if (identities.length === 0 || !identities.every((l) => identityLine.test(l))) {
    throw new BackupKeyError(`${path} is not an age identity file: it must hold AGE-SECRET-KEY-1… lines (made by \`npm run backup -- --generate-key\` or age-keygen).`);
  }
  return identities;
}

/** A new key pair in age-keygen's file layout. */
export async function generateBackupKey(now = new Date()): Promise<{ identityFile: string; recipient: string }> {
  const identity = await generateX25519Identity();
  const publicKey = await identityToRecipient(identity);
  return {
    identityFile: `# created: ${now.toISOString()}\n# public key: ${publicKey}\n${identity}\n`,
    recipient: publicKey,
  };
}
