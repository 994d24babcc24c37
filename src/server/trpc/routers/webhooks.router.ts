import { createWebhook, deleteWebhook, listWebhooks, updateWebhook } from "../../webhooks/webhook-crud";
import { listDeliveries, retryDelivery, sendTestDelivery, webhookStats } from "../../webhooks/webhook-deliveries";
import { createWebhookSchema, deliveryIdSchema, listDeliveriesSchema, updateWebhookSchema, webhookCatalogue, webhookIdSchema } from "../../webhooks/webhook-input";
import { revealWebhookSecret, rotateWebhookSecret } from "../../webhooks/webhook-secrets";
import { protectedProcedure, publicProcedure, router } from "../trpc";

export const webhooksRouter = router({
  /** Event and channel catalogue for the form. */
  catalogue: publicProcedure.query(() => webhookCatalogue()),
  list: protectedProcedure.query(({ ctx }) => listWebhooks(ctx.services, ctx.actor)),
  stats: protectedProcedure.query(({ ctx }) => webhookStats(ctx.services, ctx.actor)),
  create: protectedProcedure.input(createWebhookSchema).mutation(({ ctx, input }) => createWebhook(ctx.services, ctx.actor, input)),
  update: protectedProcedure.input(updateWebhookSchema).mutation(({ ctx, input }) => updateWebhook(ctx.services, ctx.actor, input)),
  delete: protectedProcedure.input(webhookIdSchema).mutation(({ ctx, input }) => deleteWebhook(ctx.services, ctx.actor, input)),
  revealSecret: protectedProcedure.input(webhookIdSchema).mutation(async ({ ctx, input }) => ({ secret: await revealWebhookSecret(ctx.services, ctx.actor, input) })),
  rotateSecret: protectedProcedure.input(webhookIdSchema).mutation(async ({ ctx, input }) => ({ secret: await rotateWebhookSecret(ctx.services, ctx.actor, input) })),
  deliveries: protectedProcedure.input(listDeliveriesSchema).query(({ ctx, input }) => listDeliveries(ctx.services, ctx.actor, input)),
  retryDelivery: protectedProcedure.input(deliveryIdSchema).mutation(({ ctx, input }) => retryDelivery(ctx.services, ctx.actor, input)),
  sendTest: protectedProcedure.input(webhookIdSchema).mutation(({ ctx, input }) => sendTestDelivery(ctx.services, ctx.actor, input)),
});
