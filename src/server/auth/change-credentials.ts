import { z } from "zod";
import { recordAuditEvent } from "../audit/record-audit-event";
import { Prisma } from "../db/client";
import { conflict, validation } from "../errors/domain-errors";
import type { CallerSession } from "../trpc/context";
import type { AccountDeps } from "./account-deps";
import { auditContext, type ClientInfo } from "./client-context";
import { hashSecret } from "./password-hash";
import { emailSchema, passwordProblem, passwordSchema } from "./password-policy";
import { requireSudo } from "./require-sudo";

interface Caller {
  userId: number;
  session: CallerSession;
}

export const changePasswordInput = z.object({ newPassword: passwordSchema });
export const changeEmailInput = z.object({ email: emailSchema });

/**
 * Sudo. Sets a new password (or a first one for a Google-only account) and signs out every
 * other session: whoever knew the old password loses access now.
 */
export async function changePassword(deps: AccountDeps, caller: Caller, raw: z.input<typeof changePasswordInput> | unknown, client: ClientInfo): Promise<{ otherSessionsRevoked: number }> {
  requireSudo(caller.session, deps.now());
  const input = changePasswordInput.parse(raw);
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: caller.userId }, select: { email: true } });
  const problem = passwordProblem(input.newPassword, user.email);
  if (problem) throw validation(problem, { field: "newPassword" });
  const now = deps.now();
  const passwordHash = await hashSecret(input.newPassword);
  const [, revoked] = await deps.db.$transaction([
    deps.db.user.update({ where: { id: caller.userId }, data: { passwordHash, passwordChangedAt: now } }),
    deps.db.session.updateMany({ where: { userId: caller.userId, id: { not: caller.session.id }, revokedAt: null }, data: { revokedAt: now } }),
  ]);
  await recordAuditEvent(deps.db, { userId: caller.userId, kind: "password_changed", context: auditContext(client, caller.session.id), metadata: { otherSessionsRevoked: revoked.count } });
  return { otherSessionsRevoked: revoked.count };
}

/** Sudo. A new sign-in email; it must not belong to another account. */
export async function changeEmail(deps: AccountDeps, caller: Caller, raw: z.input<typeof changeEmailInput> | unknown, client: ClientInfo): Promise<{ email: string }> {
  requireSudo(caller.session, deps.now());
  const input = changeEmailInput.parse(raw);
  const before = await deps.db.user.findUniqueOrThrow({ where: { id: caller.userId }, select: { email: true } });
  if (before.email === input.email) return { email: input.email };
  try {
    await deps.db.user.update({ where: { id: caller.userId }, data: { email: input.email } });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") throw conflict("Another account already uses this email address.");
    throw err;
  }
  await recordAuditEvent(deps.db, { userId: caller.userId, kind: "email_changed", context: auditContext(client, caller.session.id), metadata: { from: before.email, to: input.email } });
  return { email: input.email };
}

/** What the Security page shows about sign-in methods. */
export async function accountOverview(deps: Pick<AccountDeps, "db">, userId: number) {
  const u = await deps.db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true, passwordHash: true, googleId: true, passwordChangedAt: true, createdAt: true } });
  return { email: u.email, name: u.name, hasPassword: u.passwordHash !== null, googleLinked: u.googleId !== null, passwordChangedAt: u.passwordChangedAt, createdAt: u.createdAt };
}
