import { z } from "zod";
import { recordAuditEvent } from "../audit/record-audit-event";
import { validation } from "../errors/domain-errors";
import { enforceLimits } from "../rate-limit/enforce-limits";
import { createSession } from "../sessions/create-session";
import { announceSessionsEnded } from "../sessions/sessions-ended";
import { sessionSetCookie } from "../sessions/session-cookie";
import { checkTotp, parseCode } from "../two-factor/check-second-factor";
import type { AccountDeps } from "./account-deps";
import type { Actor } from "./actor";
import { invalidCode, invalidCredentials } from "./auth-errors";
import { reauthLimits } from "./auth-limits";
import { auditContext } from "./client-context";
import { verifySecret } from "./password-hash";

const reauthInput = z.union([
  z.object({ password: z.string().min(1, "Enter your password.").max(128) }),
  z.object({ code: z.unknown() }),
]);
/** What the procedure accepts: a password, or a code the service validates after counting the attempt. */
export const reauthRequest = z.object({ password: z.string().max(1000).optional(), code: z.unknown().optional() });

/**
 * Sudo mode: a password or TOTP re-check. The session is replaced by a new one (new token,
 * same 2FA state, reauth_at = now) and the old row revoked. A password that is not even a
 * password (empty, too long) is refused before the attempt is counted.
 */
export async function reauthenticate(deps: AccountDeps, actor: Pick<Actor, "userId" | "session" | "client">, request: z.infer<typeof reauthRequest>): Promise<{ setCookie: string; sessionId: number }> {
  const input = reauthInput.parse(request.password !== undefined ? { password: request.password } : { code: request.code });
  const { userId, client, session: replaced } = actor;
  await enforceLimits(deps.limiter, reauthLimits(userId, client.ip));
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true, totpEnabled: true, totpSecret: true } });
  if ("password" in input) {
    if (!user.passwordHash) throw validation("This account has no password. Confirm with a code from your authenticator app instead.");
    if (!(await verifySecret(user.passwordHash, input.password))) throw invalidCredentials();
  } else {
    if (!user.totpEnabled) throw validation("Two-factor authentication is off. Confirm with your password instead.");
    const code = parseCode(input.code, false);
    if (!(await checkTotp(deps, userId, user.totpSecret, code, client))) throw invalidCode();
  }
  const now = deps.now();
  const session = await createSession(deps.db, { userId, twoFactor: replaced.twoFactor, client, geoDbPath: deps.config.GEOIP_DB_PATH, now, reauthAt: now });
  const retired = await deps.db.session.updateMany({ where: { id: replaced.id, userId, revokedAt: null }, data: { revokedAt: now } });
  // Streams opened with the replaced token end too; the page reconnects with the new cookie.
  if (retired.count === 1) await announceSessionsEnded(deps, userId, [replaced.id]);
  await recordAuditEvent(deps.db, {
    userId,
    kind: "reauth",
    context: auditContext(client, session.id),
    metadata: { method: "password" in input ? "password" : "totp", replacedSessionId: replaced.id },
  });
  return { setCookie: await sessionSetCookie(deps.config, session.token), sessionId: session.id };
}
