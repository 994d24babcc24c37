import { recordAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import type { ClientInfo } from "./client-context";
import { auditContext } from "./client-context";

/**
 * ADMIN_EMAILS makes an account an administrator only once its address is proven: a link mailed
 * to it was used, or the OpenID provider vouched for it. Claiming an address at sign-up proves
 * nothing. (The first administrator of an installation comes from the setup token instead:
 * setup-token.ts.) Returns whether the role changed.
 */
export async function grantAdminByVerifiedEmail(
  db: Db,
  user: { id: number; email: string; emailVerifiedAt: Date | null },
  adminEmails: string[],
  client?: ClientInfo,
): Promise<boolean> {
  if (!user.emailVerifiedAt || !adminEmails.includes(user.email.toLowerCase())) return false;
  // Compare-and-set on the address: a change of email racing this grant cannot carry it over.
  const changed = await db.user.updateMany({ where: { id: user.id, email: user.email, role: "user", emailVerifiedAt: { not: null } }, data: { role: "admin" } });
  if (changed.count === 1) {
    await recordAuditEvent(db, { userId: user.id, kind: "admin_granted", context: client ? auditContext(client) : undefined, metadata: { via: "ADMIN_EMAILS" } });
  }
  return changed.count === 1;
}
