import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { frameKeyFromHash, generateApiKey, hashApiKey, hashApiKeyBytes } from "../../src/protocol/api-key";
import { safeEqual } from "../../src/server/crypto/api-key";

describe("API key hashing", () => {
  it("stores sha256 hex and signs frames with the same 32 raw bytes", () => {
    const key = "a".repeat(40);
    const hex = hashApiKey(key);
    expect(hex).toBe(createHash("sha256").update(key).digest("hex"));
    expect(hashApiKeyBytes(key)).toHaveLength(32);
    expect(hashApiKeyBytes(key).toString("hex")).toBe(hex);
    expect(frameKeyFromHash(hex).equals(hashApiKeyBytes(key))).toBe(true);
  });

  it("refuses a malformed stored hash", () => {
    expect(() => frameKeyFromHash("xyz")).toThrow(/64 hex/);
  });

  it("generates long random hex keys", () => {
    const a = generateApiKey();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(generateApiKey()).not.toBe(a);
  });

  it("compares in constant time and respects length", () => {
    expect(safeEqual("token-1", "token-1")).toBe(true);
    expect(safeEqual("token-1", "token-2")).toBe(false);
    expect(safeEqual("token", "token-1")).toBe(false);
    expect(safeEqual("", "")).toBe(true);
  });
});
