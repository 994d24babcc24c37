import type { AccountDeps } from "../auth/account-deps";
import { challengeExpired } from "../auth/auth-errors";
import { secondFactorLimits } from "../auth/auth-limits";
import type { ClientInfo } from "../auth/client-context";
import { completeSignIn, type SignedIn } from "../auth/complete-sign-in";
import { DomainError } from "../errors/domain-errors";
import { enforceLimits } from "../rate-limit/enforce-limits";
import { checkSecondFactor } from "./check-second-factor";
import { consumePendingChallenge, findPendingChallenge, recordFailedAttempt } from "./pending-challenge";

/**
 * Second step of sign-in: the wh_2fa_pending challenge plus a TOTP or backup code becomes a
 * session with two_factor = true. Every attempt, well-formed or not, counts toward the limits.
 */
export async function completeTwoFactorChallenge(
  deps: AccountDeps,
  input: { pendingToken: string | null; code: unknown; client: ClientInfo },
): Promise<SignedIn> {
  const { client } = input;
  const challenge = await findPendingChallenge(deps, input.pendingToken);
  if (!challenge) throw challengeExpired();
  await enforceLimits(deps.limiter, secondFactorLimits(challenge.userId, client.ip));
  const user = await deps.db.user.findUnique({ where: { id: challenge.userId }, select: { id: true, email: true, totpEnabled: true, totpSecret: true } });
  if (!user) throw challengeExpired();
  if (!user.totpEnabled) {
    // 2FA was turned off after the password step; the challenge cannot be satisfied any more.
    await consumePendingChallenge(deps, challenge.id);
    throw challengeExpired();
  }
  try {
    await checkSecondFactor(deps, user, input.code, client, { allowBackup: true });
  } catch (err) {
    if (err instanceof DomainError && (err.code === "UNAUTHORIZED" || err.code === "VALIDATION")) await recordFailedAttempt(deps, challenge.id);
    throw err;
  }
  if (!(await consumePendingChallenge(deps, challenge.id))) throw challengeExpired();
  return completeSignIn(deps, { user, twoFactor: true, provider: challenge.provider === "google" ? "google" : "password", client });
}
