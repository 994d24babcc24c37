import type { Db } from "../db/client";

/**
 * Seed RevokeSession: scoped to the owner, so another user's session id is "not found" (false).
 * Revoking an already revoked session is harmless and reports true.
 */
export async function revokeSession(db: Db, userId: number, sessionId: number, now: Date = new Date()): Promise<boolean> {
  const owned = await db.session.findFirst({ where: { id: sessionId, userId }, select: { id: true } });
  if (!owned) return false;
  await db.session.updateMany({ where: { id: sessionId, userId, revokedAt: null }, data: { revokedAt: now } });
  return true;
}

/** Seed RevokeOtherSessions: every live session of the user except the caller's. */
export async function revokeOtherSessions(db: Db, userId: number, exceptSessionId: number, now: Date = new Date()): Promise<number> {
  const result = await db.session.updateMany({
    where: { userId, id: { not: exceptSessionId }, revokedAt: null },
    data: { revokedAt: now },
  });
  return result.count;
}
