import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** sha256(raw key) as lowercase hex: the form stored in workers.api_key_hash. */
export function hashApiKey(rawKey: string): string {
  return createHash("sha256").update(rawKey, "utf8").digest("hex");
}

/** sha256(raw key) as 32 raw bytes: the HMAC key K for signed WebSocket frames. */
export function hashApiKeyBytes(rawKey: string): Buffer {
  return createHash("sha256").update(rawKey, "utf8").digest();
}

/** Recovers K from a stored api_key_hash (hex). */
export function frameKeyFromHash(apiKeyHash: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(apiKeyHash)) throw new Error("api_key_hash is not 64 hex characters");
  return Buffer.from(apiKeyHash, "hex");
}

/** A new random API key, hex-encoded (seed GenerateAPIKey). */
export function generateApiKey(byteLength = 32): string {
  return randomBytes(byteLength).toString("hex");
}

/** Constant-time string equality that does not leak length through an early exit. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a, "utf8").digest();
  const hb = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** sha256 hex of any opaque token (session tokens, 2FA challenge tokens). */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}
