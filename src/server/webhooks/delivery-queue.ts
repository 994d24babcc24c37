import { createHash } from "node:crypto";
import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "./webhook-events";

/** The pg-boss queue that performs one webhook delivery attempt per job. */
export const WEBHOOK_DELIVERY_QUEUE = "webhook.deliver";

export const messageEnvelopeSchema = z.object({
  type: z.enum([...WEBHOOK_EVENT_TYPES, "webhook.test"]),
  appId: z.number().int().nullable(),
  data: z.record(z.string(), z.unknown()),
  timestamp: z.string(),
});

export const deliveryJobSchema = z.object({
  messageId: z.string().min(1),
  webhookId: z.number().int(),
  attempt: z.number().int().min(1),
  envelope: messageEnvelopeSchema,
});
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

/** A UUID derived from the parts, so sending the same attempt twice inserts one pg-boss job. */
export function deterministicJobId(...parts: (string | number)[]): string {
  const h = createHash("sha256").update(parts.join("\u0000")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Standard Webhooks message id, stable across the attempts of one message. */
export function messageIdFor(eventKey: string, webhookId: number): string {
  return `msg_${createHash("sha256").update(`${eventKey}:${webhookId}`).digest("base64url").slice(0, 27)}`;
}
