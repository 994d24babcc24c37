import { z } from "zod";
import { channelLabel, WEBHOOK_CHANNELS } from "./webhook-channels";
import { EVENT_PRESENTATION, WEBHOOK_EVENT_TYPES } from "./webhook-events";

export const MAX_WEBHOOKS_PER_USER = 20;

/** The events and channels the webhook form offers. */
export function webhookCatalogue() {
  return {
    events: WEBHOOK_EVENT_TYPES.map((type) => ({ type, ...EVENT_PRESENTATION[type] })),
    channels: WEBHOOK_CHANNELS.map((id) => ({ id, label: channelLabel(id) })),
  };
}

export const webhookIdSchema = z.object({ id: z.number().int().positive() });

export const createWebhookSchema = z.object({
  name: z.string().trim().max(100, "Keep the name under 100 characters.").default(""),
  url: z.string().trim().min(1, "Enter the URL deliveries should be sent to.").max(2_000, "That URL is too long (2,000 characters at most)."),
  /** Omitted: guessed from the URL (Discord, Slack and ntfy.sh URLs are recognised). */
  channel: z.enum(WEBHOOK_CHANNELS).optional(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1, "Pick at least one event to send.").max(WEBHOOK_EVENT_TYPES.length),
});
export type CreateWebhookInput = z.input<typeof createWebhookSchema>;

export const updateWebhookSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().trim().max(100, "Keep the name under 100 characters.").optional(),
  url: z.string().trim().min(1).max(2_000).optional(),
  channel: z.enum(WEBHOOK_CHANNELS).optional(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1, "Pick at least one event to send.").optional(),
  active: z.boolean().optional(),
});
export type UpdateWebhookInput = z.input<typeof updateWebhookSchema>;

export const listDeliveriesSchema = z.object({
  id: z.number().int().positive(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const deliveryIdSchema = z.object({ deliveryId: z.bigint().positive() });
