import { cipherContext, type SecretCipher } from "../crypto/secret-cipher";
import { DomainError } from "../errors/domain-errors";

/** The TOTP secret encrypted for this user only (AES-GCM with the owner bound as AAD). */
export function sealTotpSecret(cipher: SecretCipher, userId: number, secret: string): string {
  return cipher.encrypt(secret, cipherContext.totpSecret(userId));
}

/**
 * Decrypts the stored secret. Any failure is an error the caller cannot mistake for "no 2FA":
 * a secret that cannot be read fails the sign-in rather than skipping the second factor.
 */
export function openTotpSecret(cipher: SecretCipher, userId: number, stored: string | null): string {
  if (!stored) throw new DomainError("UNAVAILABLE", "Two-factor authentication is misconfigured for this account. Contact the administrator.");
  try {
    const secret = cipher.decrypt(stored, cipherContext.totpSecret(userId));
    if (!/^[A-Z2-7]{16,}=*$/.test(secret)) throw new Error("not base32");
    return secret;
  } catch {
    throw new DomainError("UNAVAILABLE", "Two-factor authentication could not be checked for this account. Contact the administrator.");
  }
}
