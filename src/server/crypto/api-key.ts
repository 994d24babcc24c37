import { createHash, timingSafeEqual } from "node:crypto";

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
