import { describe, expect, it } from "vitest";
import { deriveKey, KEY_PURPOSES } from "../../src/server/crypto/hkdf";
import { DecryptionError, SecretCipher, cipherContext } from "../../src/server/crypto/secret-cipher";

const cipher = new SecretCipher("m".repeat(40));

describe("AES-256-GCM secret cipher", () => {
  it("round-trips and uses the v1:base64url format", () => {
    const stored = cipher.encrypt("hunter2 ✓");
    expect(stored).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    expect(cipher.decrypt(stored)).toBe("hunter2 ✓");
  });

  it("uses a fresh nonce for every encryption", () => {
    expect(cipher.encrypt("same")).not.toBe(cipher.encrypt("same"));
  });

  it("keeps empty values empty", () => {
    expect(cipher.encrypt("")).toBe("");
    expect(cipher.decrypt("")).toBe("");
  });

  it("passes unprefixed (legacy plaintext) values through", () => {
    expect(cipher.decrypt("plain-legacy-value")).toBe("plain-legacy-value");
  });

  it("refuses a flipped bit anywhere in the ciphertext", () => {
    const stored = cipher.encrypt("secret value");
    const raw = Buffer.from(stored.slice(3), "base64url");
    for (const index of [0, 12, raw.length - 1]) {
      const flipped = Buffer.from(raw);
      flipped[index]! ^= 0x01;
      expect(() => cipher.decrypt(`v1:${flipped.toString("base64url")}`)).toThrow(DecryptionError);
    }
  });

  it("refuses truncated ciphertext, including shorter than nonce+tag", () => {
    const stored = cipher.encrypt("secret value");
    expect(() => cipher.decrypt(stored.slice(0, stored.length - 4))).toThrow(DecryptionError);
    expect(() => cipher.decrypt("v1:AAAA")).toThrow(/truncated/);
    expect(() => cipher.decrypt("v1:")).toThrow(DecryptionError);
  });

  it("refuses characters outside base64url", () => {
    expect(() => cipher.decrypt("v1:abc$def")).toThrow(/base64url/);
  });

  it("refuses a value decrypted under another master secret", () => {
    const other = new SecretCipher("o".repeat(40));
    expect(() => other.decrypt(cipher.encrypt("x"))).toThrow(DecryptionError);
  });

  it("binds the owner: a value copied to another app does not decrypt", () => {
    const stored = cipher.encrypt("db-password", cipherContext.envVar(1, "DB_PASSWORD"));
    expect(cipher.decrypt(stored, cipherContext.envVar(1, "DB_PASSWORD"))).toBe("db-password");
    expect(() => cipher.decrypt(stored, cipherContext.envVar(2, "DB_PASSWORD"))).toThrow(DecryptionError);
  });

  it("derives independent keys per purpose", () => {
    const secret = "k".repeat(40);
    const aes = deriveKey(secret, KEY_PURPOSES.columnAes);
    const jwt = deriveKey(secret, KEY_PURPOSES.workerJwt);
    expect(aes).toHaveLength(32);
    expect(aes.equals(jwt)).toBe(false);
    expect(deriveKey(secret, KEY_PURPOSES.columnAes).equals(aes)).toBe(true);
  });
});
