import { z } from "zod";
import { recordAuditEvent } from "../audit/record-audit-event";
import { validation } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import type { AccountDeps } from "./account-deps";
import type { Actor } from "./actor";
import { auditContext } from "./client-context";
import { oidcEnabled } from "./oidc/oidc-configuration";
import { hashSecret } from "./password-hash";
import { passwordProblem, passwordSchema } from "./password-policy";
import { inSudoMode, requireSudo } from "./require-sudo";
import { announceSessionsEnded } from "../sessions/sessions-ended";

type Caller = Pick<Actor, "userId" | "session" | "client">;

// The procedure accepts loose input; sudo mode is checked before the value is validated.
export const changePasswordRequest = z.object({ newPassword: z.unknown() });
const changePasswordInput = z.object({ newPassword: passwordSchema });

/**
 * Sudo. Sets a new password (or a first one for a Google-only account) and signs out every
 * other session: whoever knew the old password loses access now.
 */
export async function changePassword(deps: AccountDeps, actor: Caller, request: z.infer<typeof changePasswordRequest>): Promise<{ otherSessionsRevoked: number }> {
  requireSudo(actor.session, deps.now());
  const input = changePasswordInput.parse(request);
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { email: true } });
  const problem = passwordProblem(input.newPassword, user.email);
  if (problem) throw validation(problem, { field: "newPassword" });
  const now = deps.now();
  const passwordHash = await hashSecret(input.newPassword);
  const [, revoked] = await deps.db.$transaction([
    deps.db.user.update({ where: { id: actor.userId }, data: { passwordHash, passwordChangedAt: now } }),
    deps.db.session.updateManyAndReturn({ where: { userId: actor.userId, id: { not: actor.session.id }, revokedAt: null }, data: { revokedAt: now }, select: { id: true } }),
  ]);
  await announceSessionsEnded(deps, actor.userId, revoked.map((s) => s.id));
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "password_changed", context: auditContext(actor.client, actor.session.id), metadata: { otherSessionsRevoked: revoked.length } });
  return { otherSessionsRevoked: revoked.length };
}

/**
 * What the Security page shows: sign-in methods, whether the address is confirmed or a change is
 * waiting for its link, whether sudo mode is active, whether Google is offered.
 */
export async function accountOverview(deps: Pick<Services, "db" | "config" | "now">, actor: Pick<Actor, "userId" | "session">) {
  const u = await deps.db.user.findUniqueOrThrow({
    where: { id: actor.userId },
    select: { email: true, name: true, passwordHash: true, googleId: true, passwordChangedAt: true, createdAt: true, emailVerifiedAt: true, pendingEmail: true },
  });
  return {
    email: u.email,
    emailVerified: u.emailVerifiedAt !== null,
    pendingEmail: u.pendingEmail,
    name: u.name,
    hasPassword: u.passwordHash !== null,
    googleLinked: u.googleId !== null,
    passwordChangedAt: u.passwordChangedAt,
    createdAt: u.createdAt,
    sudo: inSudoMode(actor.session, deps.now()),
    googleAvailable: oidcEnabled(deps.config),
  };
}
