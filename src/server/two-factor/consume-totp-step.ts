import type { Db } from "../db/client";

/**
 * Compare-and-set on users.totp_last_step: succeeds for exactly one caller per step, and never
 * for a step at or below one already accepted. Postgres re-checks the WHERE against the newest
 * row version, so concurrent uses of one code cannot both win.
 */
export async function consumeTotpStep(db: Db, userId: number, step: number): Promise<boolean> {
  const result = await db.user.updateMany({
    where: { id: userId, OR: [{ totpLastStep: null }, { totpLastStep: { lt: BigInt(step) } }] },
    data: { totpLastStep: BigInt(step) },
  });
  return result.count === 1;
}
