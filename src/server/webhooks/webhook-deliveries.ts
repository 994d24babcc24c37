import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { Actor } from "../auth/actor";
import { DomainError, notFound } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import { deterministicJobId, messageEnvelopeSchema, WEBHOOK_DELIVERY_QUEUE, type DeliveryJob } from "./delivery-queue";
import { performDeliveryAttempt, type AttemptOutcome } from "./deliver-webhook";
import { listDeliveriesSchema, type deliveryIdSchema, type webhookIdSchema } from "./webhook-input";
import { teamWhere } from "../teams/team-scope";

type Caller = Pick<Actor, "userId" | "team">;

/** Recent attempts of one of the caller's endpoints, newest first. */
export async function listDeliveries(deps: Pick<Services, "db">, actor: Caller, input: z.input<typeof listDeliveriesSchema>) {
  const { id: webhookId, limit } = listDeliveriesSchema.parse(input);
  const hook = await deps.db.webhook.findFirst({ where: { id: webhookId, ...teamWhere(actor) }, select: { id: true } });
  if (!hook) throw notFound("Webhook");
  return deps.db.webhookDelivery.findMany({
    where: { webhookId: hook.id },
    orderBy: { id: "desc" },
    take: limit,
    select: { id: true, messageId: true, event: true, status: true, attempt: true, responseCode: true, responseBody: true, durationMs: true, error: true, nextRetryAt: true, createdAt: true },
  });
}

/** Queues another attempt of a failed message now (the user pressed Retry). */
export async function retryDelivery(deps: Pick<Services, "db" | "queue">, actor: Caller, { deliveryId }: z.infer<typeof deliveryIdSchema>): Promise<{ attempt: number }> {
  const row = await deps.db.webhookDelivery.findFirst({ where: { id: deliveryId, webhook: teamWhere(actor) }, include: { webhook: { select: { active: true } } } });
  if (!row) throw notFound("Delivery");
  if (!row.webhook.active) throw new DomainError("PRECONDITION_FAILED", "This webhook is disabled. Enable it before retrying deliveries.");
  const latest = await deps.db.webhookDelivery.findFirst({ where: { messageId: row.messageId }, orderBy: { attempt: "desc" } });
  if (latest?.status === "succeeded") throw new DomainError("CONFLICT", "This message was already delivered.");
  if (latest?.status === "pending") throw new DomainError("CONFLICT", "An attempt for this message is in progress.");
  const attempt = (latest?.attempt ?? row.attempt) + 1;
  const job: DeliveryJob = { messageId: row.messageId, webhookId: row.webhookId, attempt, envelope: messageEnvelopeSchema.parse(JSON.parse(row.payload)) };
  await deps.queue.send(WEBHOOK_DELIVERY_QUEUE, job, { id: deterministicJobId(row.messageId, attempt), retryLimit: 2 });
  return { attempt };
}

/** Sends a "webhook.test" message right now and reports what the endpoint answered (no retries). */
export async function sendTestDelivery(
  deps: Pick<Services, "db" | "cipher" | "config" | "queue" | "log" | "webhookDispatcher">,
  actor: Caller,
  { id: webhookId }: z.infer<typeof webhookIdSchema>,
): Promise<AttemptOutcome> {
  const hook = await deps.db.webhook.findFirst({ where: { id: webhookId, ...teamWhere(actor) }, select: { id: true, active: true } });
  if (!hook) throw notFound("Webhook");
  if (!hook.active) throw new DomainError("PRECONDITION_FAILED", "This webhook is disabled. Enable it to send a test.");
  const job: DeliveryJob = {
    messageId: `msg_test_${randomUUID().replace(/-/g, "")}`,
    webhookId: hook.id,
    attempt: 1,
    envelope: { type: "webhook.test", appId: null, data: { message: "This is a test delivery from WiseHosting." }, timestamp: new Date().toISOString() },
  };
  return performDeliveryAttempt(
    { db: deps.db, cipher: deps.cipher, dispatcher: deps.webhookDispatcher, queue: deps.queue, publicUrl: deps.config.PUBLIC_URL, log: deps.log },
    job,
    { retries: false },
  );
}

export interface WebhookStats {
  total: number;
  active: number;
  failed7d: number;
  lastDeliveryAt: Date | null;
}

/** Headline numbers for the webhooks page. */
export async function webhookStats(deps: Pick<Services, "db">, actor: Caller): Promise<WebhookStats> {
  // Counts of the current team's endpoints; the membership join is teamWhere's raw form.
  const teamId = actor.team.id;
  const userId = actor.userId;
  const rows = await deps.db.$queryRaw<WebhookStats[]>`
    SELECT count(*)::int AS total,
           count(*) FILTER (WHERE active)::int AS active,
           (SELECT count(*)::int FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
             WHERE w.team_id = ${teamId} AND d.status = 'failed' AND d.created_at > now() - interval '7 days') AS "failed7d",
           max(last_delivery_at) AS "lastDeliveryAt"
    FROM webhooks WHERE team_id = ${teamId} AND EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = ${teamId} AND m.user_id = ${userId})`;
  return rows[0]!;
}
