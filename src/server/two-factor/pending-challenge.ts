import { randomBytes } from "node:crypto";
import type { AccountDeps } from "../auth/account-deps";
import { sha256Hex } from "../crypto/api-key";
import { clearCookie, readCookie, serializeCookie } from "../http/cookies";
import { cookieName, cookiesAreSecure } from "../http/cookie-security";

/** `__Host-wh_2fa_pending` wherever cookies are Secure, like the session cookie (cookie-security.ts). */
const PENDING_COOKIE_BASE = "wh_2fa_pending";
export const PENDING_TTL_SECONDS = 10 * 60;
/** Wrong codes allowed against one challenge before it is thrown away. */
export const PENDING_MAX_ATTEMPTS = 5;

/** An opaque token in the cookie, its hash in pending_totps. */
export async function createPendingChallenge(deps: Pick<AccountDeps, "db" | "config" | "now">, userId: number, provider: "password" | "google"): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await deps.db.pendingTotp.create({
    data: { tokenHash: sha256Hex(token), userId, provider, expiresAt: new Date(deps.now().getTime() + PENDING_TTL_SECONDS * 1000) },
  });
  return serializeCookie(pendingCookieName(deps.config), token, { maxAgeSeconds: PENDING_TTL_SECONDS, secure: cookiesAreSecure(deps.config) });
}

type CookieConfig = Pick<AccountDeps["config"], "PUBLIC_URL">;

export function pendingCookieName(config: CookieConfig): string {
  return cookieName(config, PENDING_COOKIE_BASE);
}

export function pendingClearCookie(config: CookieConfig): string {
  return clearCookie(pendingCookieName(config), cookiesAreSecure(config));
}

export function readPendingToken(config: CookieConfig, cookieHeader: string | null): string | null {
  const token = readCookie(cookieHeader, pendingCookieName(config));
  return token && /^[A-Za-z0-9_-]{43}$/.test(token) ? token : null;
}

export interface PendingChallenge {
  id: number;
  userId: number;
  provider: string;
  attempts: number;
}

/** The live challenge for a cookie token, or null (unknown, expired or used up). */
export async function findPendingChallenge(deps: Pick<AccountDeps, "db" | "now">, token: string | null): Promise<PendingChallenge | null> {
  if (!token) return null;
  const row = await deps.db.pendingTotp.findUnique({ where: { tokenHash: sha256Hex(token) } });
  if (!row || row.expiresAt <= deps.now() || row.attempts >= PENDING_MAX_ATTEMPTS) return null;
  return { id: row.id, userId: row.userId, provider: row.provider, attempts: row.attempts };
}

/** Whether a 2FA challenge is waiting (the challenge page sends stale visitors back to sign-in). */
export async function pendingChallengeStatus(deps: Pick<AccountDeps, "db" | "now">, input: { pendingToken: string | null }): Promise<{ pending: boolean }> {
  return { pending: (await findPendingChallenge(deps, input.pendingToken)) !== null };
}

/** Counts a wrong code; the challenge dies after PENDING_MAX_ATTEMPTS. */
export async function recordFailedAttempt(deps: Pick<AccountDeps, "db">, id: number): Promise<void> {
  const row = await deps.db.pendingTotp.update({ where: { id }, data: { attempts: { increment: 1 } } }).catch(() => null);
  if (row && row.attempts >= PENDING_MAX_ATTEMPTS) await deps.db.pendingTotp.deleteMany({ where: { id } });
}

/**
 * Deletes the row and reports whether this caller deleted it, so two
 * concurrent completions of one challenge produce one session.
 */
export async function consumePendingChallenge(deps: Pick<AccountDeps, "db" | "now">, id: number): Promise<boolean> {
  const result = await deps.db.pendingTotp.deleteMany({ where: { id, expiresAt: { gt: deps.now() } } });
  return result.count === 1;
}
