import { createHmac, timingSafeEqual, type KeyObject } from "node:crypto";

/** The envelope fields the signature covers. */
export interface SignedFields {
  type: string;
  seq: number;
  ts: number;
  re: number;
  data: string;
}

/**
 * The exact string that is MACed (docs/worker-protocol.md, "Frames"):
 * `"v1\n" + type + "\n" + seq + "\n" + ts + "\n" + re + "\n" + data`.
 */
export function signingInput(f: SignedFields): string {
  return `v1\n${f.type}\n${f.seq}\n${f.ts}\n${f.re}\n${f.data}`;
}

/**
 * K as bytes, or as a KeyObject made once from them (`createSecretKey`). A long-lived signer should
 * pass the KeyObject: for a Buffer key, Node 24's `createHmac` first checks whether it is a web
 * CryptoKey, ~7 µs per call against ~1.4 µs for the whole HMAC of a small frame
 * (docs/performance.md, heartbeat frames).
 */
export type FrameKey = Buffer | KeyObject;

/** base64url (no padding) of HMAC-SHA256(K, signing input); K is the 32-byte sha256 of the API key. */
export function signFrame(key: FrameKey, f: SignedFields): string {
  return createHmac("sha256", key).update(signingInput(f), "utf8").digest("base64url");
}

/**
 * Constant-time check of `sig` against the expected MAC. Only the canonical encoding matches:
 * a base64url string whose unused trailing bits differ names the same bytes but is refused.
 */
export function verifyFrameSignature(key: FrameKey, f: SignedFields, sig: string): boolean {
  const expected = Buffer.from(signFrame(key, f), "utf8");
  const given = Buffer.from(sig, "utf8");
  if (given.length !== expected.length) {
    // Still spend the comparison so a length mismatch is not faster than a content mismatch.
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(given, expected);
}
