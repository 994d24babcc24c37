import { recordAuditEvent } from "../audit/record-audit-event";
import { createSession } from "../sessions/create-session";
import { isNewDeviceAddress, notifyNewDevice } from "../sessions/new-device-notice";
import { sessionSetCookie } from "../sessions/session-cookie";
import type { AccountDeps } from "./account-deps";
import { grantAdminByVerifiedEmail } from "./admin-by-email";
import { auditContext, type ClientInfo } from "./client-context";

export interface SignedIn {
  status: "signed_in";
  userId: number;
  sessionId: number;
  setCookie: string;
}

/**
 * Every way in (password, Google, 2FA challenge, sign-up) ends here: a fresh session token,
 * the `login` audit event, and the new-device email when the address is new for this user.
 */
export async function completeSignIn(
  deps: AccountDeps,
  input: { user: { id: number; email: string }; twoFactor: boolean; provider: "password" | "google" | "signup"; client: ClientInfo },
): Promise<SignedIn> {
  const { user, client } = input;
  const newDevice = input.provider !== "signup" && (await isNewDeviceAddress(deps, user.id, client.ip));
  if (deps.config.adminEmails.includes(user.email)) {
    // An address added to ADMIN_EMAILS after it was verified takes effect at the next sign-in.
    const proof = await deps.db.user.findUnique({ where: { id: user.id }, select: { emailVerifiedAt: true } });
    if (proof) await grantAdminByVerifiedEmail(deps.db, { ...user, emailVerifiedAt: proof.emailVerifiedAt }, deps.config.adminEmails, client);
  }
  const session = await createSession(deps.db, {
    userId: user.id,
    twoFactor: input.twoFactor,
    client,
    geoDbPath: deps.config.GEOIP_DB_PATH,
    now: deps.now(),
  });
  await recordAuditEvent(deps.db, {
    userId: user.id,
    kind: input.provider === "signup" ? "signup" : "login",
    context: { ...auditContext(client, session.id), country: session.client.country, city: session.client.city },
    targetType: "session",
    targetId: session.id,
    metadata: { provider: input.provider, twoFactor: input.twoFactor, newDevice },
  });
  deps.log.info({ userId: user.id, sessionId: session.id, provider: input.provider, twoFactor: input.twoFactor, ip: client.ip, newDevice }, "signed in");
  if (newDevice) {
    // The sign-in itself must not fail because mail could not be queued; the failure is logged.
    await notifyNewDevice(deps, user, session).catch((err: Error) =>
      deps.log.error({ err: err.message, userId: user.id }, "could not queue the new-device email"),
    );
  }
  return { status: "signed_in", userId: user.id, sessionId: session.id, setCookie: await sessionSetCookie(deps.config, session.token) };
}
