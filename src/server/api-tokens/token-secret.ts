import { createHash, randomBytes } from "node:crypto";

/** Tokens look like `wh_` + 43 base64url characters (256 random bits); see docs/api.md. */
export const TOKEN_PREFIX = "wh_";

export function newTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** What is stored: the SHA-256 of the token (high entropy, so no slow hash is needed). */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The part of a token a list shows, enough to tell tokens apart and nothing to use. */
export function displayPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 6);
}

/** `Authorization: Bearer wh_…` → the token, or null when the header is absent or not a bearer token. */
export function bearerToken(header: string | null): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}
