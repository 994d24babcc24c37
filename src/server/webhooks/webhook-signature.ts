import { createHmac, randomBytes } from "node:crypto";

const PREFIX = "whsec_";

/** A new Standard Webhooks secret: `whsec_` + base64 of 24 random bytes. */
export function generateWebhookSecret(): string {
  return PREFIX + randomBytes(24).toString("base64");
}

/**
 * Standard Webhooks 1.0 signature: base64 HMAC-SHA256, keyed with the base64-decoded part of the
 * secret after `whsec_`, over `${msgId}.${timestampSeconds}.${body}`; sent as `v1,<signature>`.
 */
export function signWebhook(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, "base64");
  const mac = createHmac("sha256", key).update(`${msgId}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${mac}`;
}

export function signatureHeaders(secret: string, msgId: string, body: string, now = new Date()): Record<string, string> {
  const ts = Math.floor(now.getTime() / 1000);
  return { "webhook-id": msgId, "webhook-timestamp": String(ts), "webhook-signature": signWebhook(secret, msgId, ts, body) };
}
