import { createHmac, randomBytes } from "node:crypto";
import { z } from "zod";

/**
 * Connection-bound frame keys (docs/worker-protocol.md, "Connection keys"). A worker that
 * supports them sends a fresh `conn_nonce` in this upgrade header; the hub answers in `welcome`
 * with a fresh `session` and the nonce echoed, and every later frame of the connection, both
 * ways, is signed with K_conn instead of K. A frame captured on one connection therefore does
 * not verify on any other, on this hub or another, with no state shared between hubs.
 */
export const CONN_NONCE_HEADER = "x-wh-conn-nonce";

/** A nonce or session: base64url without padding, 128 to 384 bits. */
export const connTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, "22–64 base64url characters");

/** 32 random bytes as base64url (43 characters): a worker's conn_nonce or a hub's session. */
export function newConnToken(): string {
  return randomBytes(32).toString("base64url");
}

/** The exact string MACed with K to derive K_conn. */
export function connKeyInput(connNonce: string, session: string): string {
  return `wh-conn-v1\n${connNonce}\n${session}`;
}

/** K_conn = HMAC-SHA256(K, "wh-conn-v1\n" + conn_nonce + "\n" + session), 32 raw bytes. */
export function deriveConnKey(key: Buffer, connNonce: string, session: string): Buffer {
  return createHmac("sha256", key).update(connKeyInput(connNonce, session), "utf8").digest();
}
