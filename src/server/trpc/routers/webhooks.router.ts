import { WEBHOOK_CHANNELS, channelLabel } from "../../webhooks/webhook-channels";
import { createWebhook, deleteWebhook, listWebhooks, updateWebhook } from "../../webhooks/webhook-crud";
import { listDeliveries, retryDelivery, sendTestDelivery, webhookStats } from "../../webhooks/webhook-deliveries";
import { EVENT_PRESENTATION, WEBHOOK_EVENT_TYPES } from "../../webhooks/webhook-events";
import { createWebhookSchema, deliveryIdSchema, listDeliveriesSchema, updateWebhookSchema, webhookIdSchema } from "../../webhooks/webhook-input";
import { revealWebhookSecret, rotateWebhookSecret } from "../../webhooks/webhook-secrets";
import { getWebhookDispatcher } from "../../webhooks/shared-dispatcher";
import { protectedProcedure, publicProcedure, router } from "../trpc";

export const webhooksRouter = router({
  /** Event and channel catalogue for the form. */
  catalogue: publicProcedure.query(() => ({
    events: WEBHOOK_EVENT_TYPES.map((type) => ({ type, ...EVENT_PRESENTATION[type] })),
    channels: WEBHOOK_CHANNELS.map((id) => ({ id, label: channelLabel(id) })),
  })),
  list: protectedProcedure.query(({ ctx }) => listWebhooks(ctx.services, ctx.user.id)),
  stats: protectedProcedure.query(({ ctx }) => webhookStats(ctx.services, ctx.user.id)),
  create: protectedProcedure.input(createWebhookSchema).mutation(({ ctx, input }) => createWebhook(ctx.services, ctx.user.id, input)),
  update: protectedProcedure.input(updateWebhookSchema).mutation(({ ctx, input }) => updateWebhook(ctx.services, ctx.user.id, input)),
  delete: protectedProcedure.input(webhookIdSchema).mutation(({ ctx, input }) => deleteWebhook(ctx.services, ctx.user.id, input.id)),
  revealSecret: protectedProcedure.input(webhookIdSchema).mutation(async ({ ctx, input }) => ({ secret: await revealWebhookSecret(ctx.services, ctx.user.id, input.id) })),
  rotateSecret: protectedProcedure.input(webhookIdSchema).mutation(async ({ ctx, input }) => ({ secret: await rotateWebhookSecret(ctx.services, ctx.user.id, input.id) })),
  deliveries: protectedProcedure.input(listDeliveriesSchema).query(({ ctx, input }) => listDeliveries(ctx.services, ctx.user.id, input.id, input.limit)),
  retryDelivery: protectedProcedure.input(deliveryIdSchema).mutation(({ ctx, input }) => retryDelivery(ctx.services, ctx.user.id, input.deliveryId)),
  sendTest: protectedProcedure
    .input(webhookIdSchema)
    .mutation(({ ctx, input }) => sendTestDelivery(ctx.services, ctx.user.id, input.id, getWebhookDispatcher(ctx.services.config))),
});
