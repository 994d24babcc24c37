import { randomBytes } from "node:crypto";
import { sha256Hex } from "../crypto/api-key";

/** Invitations last a week; a newer invitation to the same address replaces the older one. */
export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

/** 256 random bits, base64url (43 characters); only sha256(token) is stored. */
export function newInvitationToken(): string {
  return randomBytes(32).toString("base64url");
}

export const hashInvitationToken = sha256Hex;

/** The page that shows and accepts the invitation (src/app/teams/invite/page.tsx). */
export function invitationUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, "")}/teams/invite?token=${encodeURIComponent(token)}`;
}
