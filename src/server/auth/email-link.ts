import { createHmac } from "node:crypto";
import { safeEqual } from "../crypto/api-key";
import { deriveKey } from "../crypto/hkdf";

/** Its own HKDF label: a revoke-link or session key can never sign one of these. */
const EMAIL_LINK_KEY_PURPOSE = "wisehosting-email-link-v1";
const MAX_TOKEN_LENGTH = 200;

/** "verify": prove the account's address. "change": prove a requested new address. */
export type EmailLinkPurpose = "verify" | "change";

export const EMAIL_LINK_TTL_SECONDS: Record<EmailLinkPurpose, number> = {
  verify: 72 * 60 * 60,
  change: 24 * 60 * 60,
};

const CODE: Record<EmailLinkPurpose, string> = { verify: "v", change: "c" };
const PURPOSE_OF: Record<string, EmailLinkPurpose> = { v: "verify", c: "change" };

function signature(secret: string, purpose: EmailLinkPurpose, userId: number, unix: number, address: string): string {
  return createHmac("sha256", deriveKey(secret, EMAIL_LINK_KEY_PURPOSE))
    .update(`${CODE[purpose]}:${userId}:${unix}:${address.toLowerCase()}`, "utf8")
    .digest("hex");
}

/**
 * `<v|c>.<userId>.<unix>.<hmac>`. The HMAC also covers the address the link was mailed to, which
 * the token does not carry: a link only works while that address is still the one it proves (the
 * account's email for "verify", the pending new email for "change"), so a newer request or an
 * applied change voids every older link.
 */
export function signEmailLink(secret: string, purpose: EmailLinkPurpose, userId: number, address: string, now: Date): string {
  const unix = Math.floor(now.getTime() / 1000);
  return `${CODE[purpose]}.${userId}.${unix}.${signature(secret, purpose, userId, unix, address)}`;
}

export interface ParsedEmailLink {
  purpose: EmailLinkPurpose;
  userId: number;
  unix: number;
  sig: string;
}

/** The token's parts, or null for anything malformed. Says nothing about validity yet. */
export function parseEmailLink(token: unknown): ParsedEmailLink | null {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return null;
  const match = /^([vc])\.([1-9]\d{0,9})\.(\d{1,12})\.([0-9a-f]{64})$/.exec(token);
  if (!match) return null;
  const userId = Number(match[2]);
  if (userId > 2_147_483_647) return null;
  return { purpose: PURPOSE_OF[match[1]!]!, userId, unix: Number(match[3]), sig: match[4]! };
}

/** Whether the parsed link was signed by us for this address and is within its lifetime. */
export function emailLinkValidFor(secret: string, link: ParsedEmailLink, address: string | null, now: Date): boolean {
  if (!address) return false;
  const age = Math.floor(now.getTime() / 1000) - link.unix;
  if (age < -60 || age > EMAIL_LINK_TTL_SECONDS[link.purpose]) return false;
  return safeEqual(signature(secret, link.purpose, link.userId, link.unix, address), link.sig);
}

export function emailLinkUrl(publicUrl: string, token: string): string {
  const url = new URL("/confirm-email", publicUrl);
  url.searchParams.set("token", token);
  return url.toString();
}
