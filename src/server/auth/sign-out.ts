import { recordAuditEvent } from "../audit/record-audit-event";
import { openSessionCookie, sessionClearCookie } from "../sessions/session-cookie";
import { announceSessionsEnded } from "../sessions/sessions-ended";
import { hashSessionToken } from "../sessions/session-token";
import type { AccountDeps } from "./account-deps";
import { auditContext, type ClientInfo } from "./client-context";

/** Revokes the cookie's session row (if any), ends its live streams, and returns the Set-Cookie that clears it. */
export async function signOut(deps: Pick<AccountDeps, "db" | "config" | "now" | "bus" | "log">, input: { cookieHeader: string | null; client: ClientInfo }): Promise<string> {
  const { client } = input;
  const opened = await openSessionCookie(deps.config, input.cookieHeader);
  if (opened.kind === "token") {
    const row = await deps.db.session.findUnique({ where: { tokenHash: hashSessionToken(opened.token) }, select: { id: true, userId: true, revokedAt: true } });
    if (row && !row.revokedAt) {
      const revoked = await deps.db.session.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: deps.now() } });
      if (revoked.count === 1) await announceSessionsEnded(deps, row.userId, [row.id]);
      await recordAuditEvent(deps.db, { userId: row.userId, kind: "logout", context: auditContext(client, row.id), targetType: "session", targetId: row.id });
    }
  }
  return sessionClearCookie(deps.config);
}
