import { z } from "zod";
import { recordAuditEvent } from "../audit/record-audit-event";
import { conflict } from "../errors/domain-errors";
import { queueEmail } from "../mail/queue-email";
import { renderEmailChangeConfirmEmail, renderEmailChangeNoticeEmail } from "../mail/templates/account-emails";
import type { AccountDeps } from "./account-deps";
import type { Actor } from "./actor";
import { auditContext } from "./client-context";
import { emailLinkUrl, signEmailLink } from "./email-link";
import { emailSchema } from "./password-policy";
import { requireSudo } from "./require-sudo";

type Caller = Pick<Actor, "userId" | "session" | "client">;

// The procedure accepts loose input; sudo mode is checked before the value is validated.
export const changeEmailRequest = z.object({ email: z.unknown() });
const changeEmailInput = z.object({ email: emailSchema });

export interface EmailChangeState {
  /** The sign-in email, unchanged until the new address confirms. */
  email: string;
  /** The address waiting for its confirmation link to be used, if any. */
  pendingEmail: string | null;
}

/**
 * Sudo. Asks to sign in with a new address: nothing changes until the link mailed to that address
 * is used (confirm-email-link.ts), and the current address is told at once, so someone holding a
 * session cannot move the account to an inbox they control unnoticed. A newer request replaces the
 * older one and voids its link.
 */
export async function requestEmailChange(deps: AccountDeps, actor: Caller, request: z.infer<typeof changeEmailRequest>): Promise<EmailChangeState> {
  requireSudo(actor.session, deps.now());
  const { email: wanted } = changeEmailInput.parse(request);
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { email: true } });
  if (user.email === wanted) {
    await deps.db.user.update({ where: { id: actor.userId }, data: { pendingEmail: null, pendingEmailRequestedAt: null } });
    return { email: user.email, pendingEmail: null };
  }
  const taken = await deps.db.user.findUnique({ where: { email: wanted }, select: { id: true } });
  if (taken) throw conflict("Another account already uses this email address.");
  const now = deps.now();
  await deps.db.user.update({ where: { id: actor.userId }, data: { pendingEmail: wanted, pendingEmailRequestedAt: now } });
  const token = signEmailLink(deps.config.APP_SECRET, "change", actor.userId, wanted, now);
  const confirm = await renderEmailChangeConfirmEmail({ oldEmail: user.email, newEmail: wanted, url: emailLinkUrl(deps.config.PUBLIC_URL, token) });
  await queueEmail(deps.queue, { to: wanted, ...confirm, kind: "email-change-confirm" });
  const notice = await renderEmailChangeNoticeEmail({ oldEmail: user.email, newEmail: wanted, dashboardUrl: deps.config.PUBLIC_URL.replace(/\/$/, "") });
  await queueEmail(deps.queue, { to: user.email, ...notice, kind: "email-change-notice" });
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "email_change_requested", context: auditContext(actor.client, actor.session.id), metadata: { from: user.email, to: wanted } });
  return { email: user.email, pendingEmail: wanted };
}

/** Drops a requested change; its link stops working. Needs no sudo: it only undoes. */
export async function cancelEmailChange(deps: Pick<AccountDeps, "db">, actor: Caller): Promise<EmailChangeState> {
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { email: true, pendingEmail: true } });
  if (user.pendingEmail) {
    await deps.db.user.updateMany({ where: { id: actor.userId, pendingEmail: user.pendingEmail }, data: { pendingEmail: null, pendingEmailRequestedAt: null } });
    await recordAuditEvent(deps.db, { userId: actor.userId, kind: "email_change_cancelled", context: auditContext(actor.client, actor.session.id), metadata: { to: user.pendingEmail } });
  }
  return { email: user.email, pendingEmail: null };
}
