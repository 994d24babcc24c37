import { randomInt } from "node:crypto";
import { hashSecret, verifySecret } from "../auth/password-hash";
import type { Db } from "../db/client";

export const BACKUP_CODE_COUNT = 10;
// No 0/o, 1/l/i: codes are read off paper.
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
export const BACKUP_CODE_PATTERN = /^[a-z2-9]{5}-?[a-z2-9]{5}$/;

function newCode(): string {
  let s = "";
  for (let i = 0; i < 10; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

function canonical(code: string): string {
  return code.toLowerCase().replace("-", "");
}

/** A new set of argon2id-hashed codes; the old set stops working. */
export async function replaceBackupCodes(db: Db, userId: number): Promise<string[]> {
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, newCode);
  const hashes = await Promise.all(codes.map((c) => hashSecret(canonical(c))));
  await db.$transaction([
    db.backupCode.deleteMany({ where: { userId } }),
    db.backupCode.createMany({ data: hashes.map((codeHash) => ({ userId, codeHash })) }),
  ]);
  return codes;
}

/**
 * Finds the matching unused code and marks it used with a
 * compare-and-set, so the same code redeemed concurrently succeeds once.
 */
export async function consumeBackupCode(db: Db, userId: number, code: string, now: Date = new Date()): Promise<boolean> {
  const wanted = canonical(code);
  const rows = await db.backupCode.findMany({ where: { userId, usedAt: null }, select: { id: true, codeHash: true } });
  for (const row of rows) {
    if (await verifySecret(row.codeHash, wanted)) {
      const claimed = await db.backupCode.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now } });
      return claimed.count === 1;
    }
  }
  return false;
}

export async function remainingBackupCodes(db: Db, userId: number): Promise<number> {
  return db.backupCode.count({ where: { userId, usedAt: null } });
}
