import { hkdfSync } from "node:crypto";

/** Purpose labels: each use of the master secret gets an independent key. */
export const KEY_PURPOSES = {
  columnAes: "wisehosting-aes-v1",
  workerJwt: "wisehosting-worker-jwt-v1",
  sessionCookie: "wisehosting-session-cookie-v1",
  revokeLink: "wisehosting-revoke-link-v1",
  oauthState: "wisehosting-oauth-state-v1",
} as const;

/** HKDF-SHA256(master secret, info = purpose), 32 bytes by default, no salt. */
export function deriveKey(masterSecret: string, purpose: string, length = 32): Buffer {
  if (masterSecret.length === 0) throw new Error("master secret is empty");
  return Buffer.from(hkdfSync("sha256", Buffer.from(masterSecret, "utf8"), Buffer.alloc(0), purpose, length));
}
