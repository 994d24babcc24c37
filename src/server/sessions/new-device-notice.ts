import type { AccountDeps } from "../auth/account-deps";
import { queueEmail } from "../mail/queue-email";
import { renderNewDeviceEmail } from "../mail/templates/new-device-email";
import type { CreatedSession } from "./create-session";
import { revokeLinkUrl, signRevokeToken } from "./revoke-link";

/**
 * A sign-in is from a new device when this user has no earlier audit
 * event from the address. Only events of a signed-in user count (sign-ins, and anything done in
 * a session): the sign-in's own 2FA step and failed attempts from that address must not make
 * an attacker's address look familiar. Call it before recording the sign-in's own event.
 */
export async function isNewDeviceAddress(deps: Pick<AccountDeps, "db">, userId: number, ip: string): Promise<boolean> {
  if (!ip) return false;
  const seen = await deps.db.auditEvent.findFirst({
    where: { userId, ip, OR: [{ kind: { in: ["login", "signup"] } }, { sessionId: { not: null } }] },
    select: { id: true },
  });
  return !seen;
}

/**
 * Queues the new-device email (pg-boss, retried on SMTP failure) with a 72-hour revoke link
 * for this one session, and emits account.login_new_device for webhooks and alerts.
 */
export async function notifyNewDevice(
  deps: Pick<AccountDeps, "config" | "queue" | "events" | "log" | "now">,
  user: { id: number; email: string },
  session: CreatedSession,
): Promise<void> {
  const now = deps.now();
  const token = signRevokeToken(deps.config.APP_SECRET, user.id, session.id, now);
  const c = session.client;
  const location = [c.city, c.country].filter(Boolean).join(", ");
  const mail = await renderNewDeviceEmail({
    email: user.email,
    device: c.device,
    browser: c.browser,
    os: c.os,
    ip: c.ip,
    location,
    time: now,
    revokeUrl: revokeLinkUrl(deps.config.PUBLIC_URL, token),
    dashboardUrl: deps.config.PUBLIC_URL.replace(/\/$/, ""),
  });
  await queueEmail(deps.queue, { to: user.email, ...mail, kind: "new-device-alert" });
  await deps.events.emit({
    type: "account.login_new_device",
    userId: user.id,
    data: { sessionId: session.id, ip: c.ip, device: c.device, browser: c.browser, os: c.os, country: c.country, city: c.city },
  });
}
