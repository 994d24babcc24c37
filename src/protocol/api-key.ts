import { createHash, randomBytes } from "node:crypto";

/**
 * A worker's API key and the forms derived from it (docs/worker-protocol.md, "Frames"): the
 * hub stores only its sha256, and those 32 bytes are the HMAC key K of every signed frame.
 */

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

/** A new random API key, hex-encoded (32 bytes: 64 characters). */
export function generateApiKey(byteLength = 32): string {
  return randomBytes(byteLength).toString("hex");
}
