import type { Db } from "../db/client";
import type { CallerSession, CallerUser } from "../auth/actor";
import { hashSessionToken } from "./session-token";
import { SESSION_BUMP_INTERVAL_MS, SESSION_IDLE_TTL_MS } from "./session-policy";

export type SessionCheck =
  | { valid: true; user: CallerUser; session: CallerSession }
  | { valid: false; reason: "unknown" | "revoked" | "idle" | "expired" };

/**
 * Finds the session by its token's hash and keeps it alive, on every request: unknown, revoked,
 * idle past 30 days, or past the absolute cap → not valid. last_seen_at moves at most once a
 * minute, which is what keeps the 30-day expiry rolling.
 */
export async function validateSessionToken(db: Db, token: string, now: Date = new Date()): Promise<SessionCheck> {
  const row = await db.session.findUnique({
    where: { tokenHash: hashSessionToken(token) },
    include: { user: { select: { id: true, email: true, name: true, role: true, plan: true } } },
  });
  if (!row) return { valid: false, reason: "unknown" };
  if (row.revokedAt) return { valid: false, reason: "revoked" };
  if (now.getTime() >= row.expiresAt.getTime()) return { valid: false, reason: "expired" };
  if (now.getTime() - row.lastSeenAt.getTime() > SESSION_IDLE_TTL_MS) return { valid: false, reason: "idle" };
  if (now.getTime() - row.lastSeenAt.getTime() >= SESSION_BUMP_INTERVAL_MS) {
    await db.session.updateMany({ where: { id: row.id, revokedAt: null }, data: { lastSeenAt: now } });
  }
  return {
    valid: true,
    user: row.user,
    session: { id: row.id, twoFactor: row.twoFactor, reauthAt: row.reauthAt },
  };
}
