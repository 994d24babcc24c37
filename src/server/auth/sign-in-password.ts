import { z } from "zod";
import { recordAuditEvent } from "../audit/record-audit-event";
import { enforceLimits } from "../rate-limit/enforce-limits";
import { createPendingChallenge } from "../two-factor/pending-challenge";
import type { AccountDeps } from "./account-deps";
import { invalidCredentials } from "./auth-errors";
import { signInAccountKey, signInLimits } from "./auth-limits";
import { auditContext, type ClientInfo } from "./client-context";
import { completeSignIn, type SignedIn } from "./complete-sign-in";
import { verifyAgainstDummy, verifySecret } from "./password-hash";
import { emailSchema, passwordSchema } from "./password-policy";

export const signInInput = z.object({ email: emailSchema, password: passwordSchema });
/** What the procedure accepts: loose, so malformed attempts count toward the rate limit before validation. */
export const signInRequest = z.object({ email: z.unknown(), password: z.unknown() });

export interface TwoFactorRequired {
  status: "two_factor_required";
  /** Set-Cookie for wh_2fa_pending. */
  setCookie: string;
}

/**
 * Email and password. With 2FA on, no session yet: a short-lived challenge (wh_2fa_pending)
 * that only a TOTP or backup code turns into a session.
 */
export async function signInWithPassword(deps: AccountDeps, request: z.infer<typeof signInRequest> & { client: ClientInfo }): Promise<SignedIn | TwoFactorRequired> {
  const { client, ...raw } = request;
  const parsedEmail = emailSchema.safeParse(raw.email);
  // Counted before validation, so malformed attempts use up the budget too.
  await enforceLimits(deps.limiter, signInLimits(parsedEmail.success ? parsedEmail.data : "invalid", client.ip));
  const input = signInInput.parse(raw);
  const user = await deps.db.user.findUnique({
    where: { email: input.email },
    select: { id: true, email: true, passwordHash: true, totpEnabled: true },
  });
  const ok = user?.passwordHash ? await verifySecret(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
  if (!user || !ok) {
    if (user) await recordAuditEvent(deps.db, { userId: user.id, kind: "login_failed", context: auditContext(client), metadata: { provider: "password" } });
    throw invalidCredentials();
  }
  // The right password clears the account's counter: guesses made before do not keep the real
  // user waiting. (Guessing still costs 10 attempts per window between the user's sign-ins.)
  await deps.limiter.reset(signInAccountKey(input.email));
  if (user.totpEnabled) {
    const setCookie = await createPendingChallenge(deps, user.id, "password");
    return { status: "two_factor_required", setCookie };
  }
  return completeSignIn(deps, { user, twoFactor: false, provider: "password", client });
}
