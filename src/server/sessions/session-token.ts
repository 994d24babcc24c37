import { randomBytes } from "node:crypto";
import { sha256Hex } from "../crypto/api-key";

/** 256 random bits, base64url (43 characters). Only sha256(token) is stored. */
export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

export const hashSessionToken = sha256Hex;
