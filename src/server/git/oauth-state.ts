import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { deriveKey } from "../crypto/hkdf";

const PURPOSE = "wisehosting-git-oauth-state-v1";
const TTL_MS = 10 * 60_000;

interface StatePayload {
  u: number;
  p: string;
  n: string;
  e: number;
}

/**
 * The OAuth `state`: signed, short-lived, naming the user and provider, and carrying a nonce that
 * must also be in the browser's cookie — so a callback link crafted by someone else (login CSRF)
 * cannot attach their provider account to this user.
 */
export function signOAuthState(secret: string, userId: number, provider: string): { state: string; nonce: string } {
  const nonce = randomBytes(16).toString("base64url");
  const body = Buffer.from(JSON.stringify({ u: userId, p: provider, n: nonce, e: Date.now() + TTL_MS } satisfies StatePayload)).toString("base64url");
  return { state: `${body}.${mac(secret, body)}`, nonce };
}

export function verifyOAuthState(secret: string, state: string, expected: { userId: number; provider: string; nonce: string | undefined }): boolean {
  const [body, sig] = state.split(".");
  if (!body || !sig || !expected.nonce) return false;
  const good = Buffer.from(mac(secret, body));
  const given = Buffer.from(sig);
  if (good.length !== given.length || !timingSafeEqual(good, given)) return false;
  let payload: StatePayload;
  try {
    payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as StatePayload;
  } catch {
    return false;
  }
  const nonceA = Buffer.from(payload.n ?? "");
  const nonceB = Buffer.from(expected.nonce);
  return (
    payload.e > Date.now() &&
    payload.u === expected.userId &&
    payload.p === expected.provider &&
    nonceA.length === nonceB.length &&
    timingSafeEqual(nonceA, nonceB)
  );
}

function mac(secret: string, body: string): string {
  return createHmac("sha256", deriveKey(secret, PURPOSE)).update(body).digest("base64url");
}
