import { recordAuditEvent } from "../audit/record-audit-event";
import { queueEmail } from "../mail/queue-email";
import { renderSignUpAttemptEmail, renderVerifyEmail } from "../mail/templates/account-emails";
import { enforceLimits } from "../rate-limit/enforce-limits";
import type { AccountDeps } from "./account-deps";
import type { Actor } from "./actor";
import { auditContext, type ClientInfo } from "./client-context";
import { emailLinkUrl, signEmailLink } from "./email-link";

type MailDeps = Pick<AccountDeps, "config" | "queue" | "now">;

const dashboardUrl = (config: AccountDeps["config"]) => config.PUBLIC_URL.replace(/\/$/, "");

/** Queues the mail whose link proves the account's current address (src/app/confirm-email). */
export async function sendVerificationEmail(deps: MailDeps, user: { id: number; email: string }): Promise<void> {
  const token = signEmailLink(deps.config.APP_SECRET, "verify", user.id, user.email, deps.now());
  const mail = await renderVerifyEmail({ email: user.email, url: emailLinkUrl(deps.config.PUBLIC_URL, token), dashboardUrl: dashboardUrl(deps.config) });
  await queueEmail(deps.queue, { to: user.email, ...mail, kind: "email-verification" });
}

/** "Send the link again" from the dashboard; at most 3 per 15 minutes per account. */
export async function resendVerification(deps: AccountDeps, actor: Pick<Actor, "userId">): Promise<{ alreadyVerified: boolean; sentTo: string | null }> {
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { id: true, email: true, emailVerifiedAt: true } });
  if (user.emailVerifiedAt) return { alreadyVerified: true, sentTo: null };
  await enforceLimits(deps.limiter, [{ key: `verify-resend:${actor.userId}`, rule: { limit: 3, windowSeconds: 900 } }]);
  await sendVerificationEmail(deps, user);
  return { alreadyVerified: false, sentTo: user.email };
}

/**
 * Sign-up with an address that already has an account: instead of saying so on the page, the
 * owner gets a mail. At most 3 an hour per address, so sign-ups cannot be used to flood an
 * inbox; past that the attempt is only recorded. Never throws: the page must answer exactly as
 * for a new address.
 */
export async function notifyTakenAddress(deps: AccountDeps, owner: { id: number; email: string }, client: ClientInfo): Promise<void> {
  try {
    await recordAuditEvent(deps.db, { userId: owner.id, kind: "signup_attempt_existing", context: auditContext(client) });
    const budget = await deps.limiter.hit(`signup-notice:${owner.email}`, { limit: 3, windowSeconds: 3600 });
    if (!budget.allowed) return;
    const mail = await renderSignUpAttemptEmail({ email: owner.email, dashboardUrl: dashboardUrl(deps.config) });
    await queueEmail(deps.queue, { to: owner.email, ...mail, kind: "signup-attempt-existing" });
  } catch (err) {
    deps.log.error({ err: (err as Error).message, userId: owner.id }, "could not notify the owner of a sign-up attempt");
  }
}
