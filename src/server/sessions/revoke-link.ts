import { createHmac } from "node:crypto";
import { deriveKey, KEY_PURPOSES } from "../crypto/hkdf";
import { safeEqual } from "../crypto/api-key";

/** Revoke links in new-device emails stay valid this long. */
export const REVOKE_LINK_TTL_SECONDS = 72 * 60 * 60;
const MAX_TOKEN_LENGTH = 200;

function signature(secret: string, payload: string): string {
  return createHmac("sha256", deriveKey(secret, KEY_PURPOSES.revokeLink)).update(payload, "utf8").digest("hex");
}

/** `userID:sessionID:unix:signature`, HMAC-SHA256 over the first three. */
export function signRevokeToken(secret: string, userId: number, sessionId: number, now: Date = new Date()): string {
  const payload = `${userId}:${sessionId}:${Math.floor(now.getTime() / 1000)}`;
  return `${payload}:${signature(secret, payload)}`;
}

/**
 * The ids when the signature is ours and the token is at most 72 hours
 * old; null for anything else (tampered, expired, malformed, from the future). Callers show one
 * refusal for every null, so the reason never leaks.
 */
export function verifyRevokeToken(secret: string, token: unknown, now: Date = new Date()): { userId: number; sessionId: number } | null {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return null;
  const match = /^([1-9]\d{0,9}):([1-9]\d{0,9}):(\d{1,12}):([0-9a-f]{64})$/.exec(token);
  if (!match) return null;
  const [, user, session, unix, sig] = match;
  if (!safeEqual(signature(secret, `${user}:${session}:${unix}`), sig!)) return null;
  const age = Math.floor(now.getTime() / 1000) - Number(unix);
  if (age < -60 || age > REVOKE_LINK_TTL_SECONDS) return null;
  const userId = Number(user);
  const sessionId = Number(session);
  if (!Number.isSafeInteger(userId) || userId > 2_147_483_647 || sessionId > 2_147_483_647) return null;
  return { userId, sessionId };
}

export function revokeLinkUrl(publicUrl: string, token: string): string {
  const url = new URL("/revoke", publicUrl);
  url.searchParams.set("token", token);
  return url.toString();
}
