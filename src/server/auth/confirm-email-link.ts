import { recordAuditEvent } from "../audit/record-audit-event";
import { Prisma } from "../db/client";
import type { AccountDeps } from "./account-deps";
import { grantAdminByVerifiedEmail } from "./admin-by-email";
import { auditContext, type ClientInfo } from "./client-context";
import { emailLinkValidFor, parseEmailLink, type EmailLinkPurpose, type ParsedEmailLink } from "./email-link";

type Deps = Pick<AccountDeps, "db" | "config" | "now">;

export interface EmailLinkTarget {
  kind: EmailLinkPurpose;
  /** The address the link proves. */
  email: string;
  /** Already confirmed (pressing the button again is harmless). */
  done: boolean;
}

interface Resolved extends EmailLinkTarget {
  link: ParsedEmailLink;
}

/**
 * Which address a link proves, or null for every kind of bad link (tampered, expired, garbage,
 * replaced by a newer request, for an address the account no longer uses): one refusal for all.
 * A "change" link whose change was already applied proves the current address: done.
 */
async function resolveLink(deps: Deps, token: unknown): Promise<Resolved | null> {
  const link = parseEmailLink(token);
  if (!link) return null;
  const user = await deps.db.user.findUnique({ where: { id: link.userId }, select: { email: true, emailVerifiedAt: true, pendingEmail: true } });
  if (!user) return null;
  const now = deps.now();
  const secret = deps.config.APP_SECRET;
  if (link.purpose === "verify") {
    return emailLinkValidFor(secret, link, user.email, now) ? { link, kind: "verify", email: user.email, done: user.emailVerifiedAt !== null } : null;
  }
  if (emailLinkValidFor(secret, link, user.pendingEmail, now)) return { link, kind: "change", email: user.pendingEmail!, done: false };
  if (emailLinkValidFor(secret, link, user.email, now)) return { link, kind: "change", email: user.email, done: true };
  return null;
}

/** What the confirmation page (GET) shows. Reads only: mail scanners fetch links. */
export async function inspectEmailLink(deps: Deps, input: { token: unknown }): Promise<EmailLinkTarget | null> {
  const resolved = await resolveLink(deps, input.token);
  return resolved ? { kind: resolved.kind, email: resolved.email, done: resolved.done } : null;
}

/**
 * The page's button (POST). "verify" marks the address proven; "change" makes the pending address
 * the sign-in email, proven. Either way ADMIN_EMAILS may now apply. Every write is a
 * compare-and-set on the address the link was checked against, so a change racing it cannot be
 * confirmed by a link for another address. Repeating it is harmless (still true).
 */
export async function confirmEmailLink(deps: Deps, input: { token: unknown; client: ClientInfo }): Promise<boolean> {
  const target = await resolveLink(deps, input.token);
  if (!target) return false;
  if (target.done) return true;
  const userId = target.link.userId;
  const now = deps.now();
  if (target.kind === "verify") {
    const changed = await deps.db.user.updateMany({ where: { id: userId, email: target.email, emailVerifiedAt: null }, data: { emailVerifiedAt: now } });
    if (changed.count === 1) await recordAuditEvent(deps.db, { userId, kind: "email_verified", context: auditContext(input.client) });
  } else {
    const before = await deps.db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
    try {
      const changed = await deps.db.user.updateMany({
        where: { id: userId, pendingEmail: target.email },
        data: { email: target.email, emailVerifiedAt: now, pendingEmail: null, pendingEmailRequestedAt: null },
      });
      if (changed.count === 0) return false;
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
        // Another account took the address since the request: the request cannot succeed any more.
        await deps.db.user.updateMany({ where: { id: userId, pendingEmail: target.email }, data: { pendingEmail: null, pendingEmailRequestedAt: null } });
        return false;
      }
      throw err;
    }
    await recordAuditEvent(deps.db, { userId, kind: "email_changed", context: auditContext(input.client), metadata: { from: before.email, to: target.email, via: "email_link" } });
  }
  await grantAdminByVerifiedEmail(deps.db, { id: userId, email: target.email, emailVerifiedAt: now }, deps.config.adminEmails, input.client);
  return true;
}
