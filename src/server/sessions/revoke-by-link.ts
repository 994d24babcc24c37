import { recordAuditEvent } from "../audit/record-audit-event";
import type { AccountDeps } from "../auth/account-deps";
import { auditContext, type ClientInfo } from "../auth/client-context";
import { verifyRevokeToken } from "./revoke-link";
import { announceSessionsEnded } from "./sessions-ended";

export interface RevokeLinkTarget {
  sessionId: number;
  device: string;
  browser: string;
  os: string;
  ip: string;
  location: string;
  createdAt: Date;
  alreadyRevoked: boolean;
}

/**
 * What a revoke link points at, for the confirmation page (GET). Reads only. null for every
 * kind of bad link: tampered, expired, garbage, or naming a session the user does not own.
 */
export async function inspectRevokeLink(deps: Pick<AccountDeps, "db" | "config" | "now">, input: { token: unknown }): Promise<RevokeLinkTarget | null> {
  const ids = verifyRevokeToken(deps.config.APP_SECRET, input.token, deps.now());
  if (!ids) return null;
  const s = await deps.db.session.findFirst({ where: { id: ids.sessionId, userId: ids.userId } });
  if (!s) return null;
  return {
    sessionId: s.id,
    device: s.device,
    browser: s.browser,
    os: s.os,
    ip: s.ip,
    location: [s.city, s.country].filter(Boolean).join(", "),
    createdAt: s.createdAt,
    alreadyRevoked: s.revokedAt !== null,
  };
}

/** The button's POST: revokes that one session. Repeating it is harmless (still true). */
export async function revokeByLink(deps: Pick<AccountDeps, "db" | "config" | "now" | "bus" | "log">, input: { token: unknown; client: ClientInfo }): Promise<boolean> {
  const ids = verifyRevokeToken(deps.config.APP_SECRET, input.token, deps.now());
  if (!ids) return false;
  const owned = await deps.db.session.findFirst({ where: { id: ids.sessionId, userId: ids.userId }, select: { id: true } });
  if (!owned) return false;
  const changed = await deps.db.session.updateMany({ where: { id: ids.sessionId, userId: ids.userId, revokedAt: null }, data: { revokedAt: deps.now() } });
  if (changed.count === 1) {
    await announceSessionsEnded(deps, ids.userId, [ids.sessionId]);
    await recordAuditEvent(deps.db, {
      userId: ids.userId,
      kind: "session_revoked",
      context: auditContext(input.client),
      targetType: "session",
      targetId: ids.sessionId,
      metadata: { via: "email_link" },
    });
  }
  return true;
}
