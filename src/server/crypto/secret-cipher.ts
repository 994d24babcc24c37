import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { deriveKey, KEY_PURPOSES } from "./hkdf";

const PREFIX = "v1:";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class DecryptionError extends Error {
  constructor(reason: string) {
    super(`stored secret could not be decrypted: ${reason}`);
    this.name = "DecryptionError";
  }
}

/**
 * AES-256-GCM for sensitive columns. Stored form: `v1:` + base64url(nonce ‖ ciphertext ‖ tag).
 * The optional context (purpose and owner, e.g. `env:app:42`) is bound as associated data, so a
 * value copied onto another row fails to decrypt. Values without the prefix pass through
 * unchanged (rollout of encryption over existing plaintext).
 */
export class SecretCipher {
  private readonly key: Buffer;

  constructor(masterSecret: string) {
    this.key = deriveKey(masterSecret, KEY_PURPOSES.columnAes);
  }

  encrypt(plain: string, context = ""): string {
    if (plain === "") return "";
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    if (context) cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return PREFIX + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64url");
  }

  decrypt(stored: string, context = ""): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const encoded = stored.slice(PREFIX.length);
    if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw new DecryptionError("not base64url");
    const raw = Buffer.from(encoded, "base64url");
    if (raw.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError("truncated");
    const nonce = raw.subarray(0, NONCE_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    const body = raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, nonce);
      if (context) decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
    } catch {
      throw new DecryptionError("authentication failed (tampered, wrong key or wrong owner)");
    }
  }

  static isEncrypted(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }
}

/** Associated-data labels, one per encrypted column, so values cannot be swapped across rows. */
export const cipherContext = {
  envVar: (appId: number, key: string) => `env:app:${appId}:${key}`,
  jobPayload: (appId: number) => `job:app:${appId}`,
  gitToken: (userId: number, provider: string) => `git:user:${userId}:${provider}`,
  totpSecret: (userId: number) => `totp:user:${userId}`,
  webhookSecret: (userId: number) => `webhook:user:${userId}`,
  appWebhookSecret: (appId: number) => `push-webhook:app:${appId}`,
};
