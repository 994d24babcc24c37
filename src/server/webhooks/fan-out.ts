import type { SendOptions } from "pg-boss";
import type { Db } from "../db/client";
import type { PlatformEvent } from "../events/platform-events";
import { deterministicJobId, messageIdFor, WEBHOOK_DELIVERY_QUEUE, type DeliveryJob } from "./delivery-queue";

/**
 * Queues one delivery per active endpoint of the event's team subscribed to its type. `eventKey`
 * identifies the event (its pg-boss job id): a redelivered event yields the same message ids and
 * job ids, so nothing is delivered twice.
 */
export async function fanOutEvent(
  db: Db,
  queue: { send(queue: string, data: object, options?: SendOptions): Promise<string | null> },
  event: PlatformEvent,
  eventKey: string,
): Promise<number> {
  // An app's events go to its team's endpoints; account events to the user's personal team's.
  const team = event.appId !== null ? { apps: { some: { id: event.appId } } } : { personal: true, members: { some: { userId: event.userId } } };
  const hooks = await db.webhook.findMany({ where: { team: { deletedAt: null, ...team }, active: true, events: { has: event.type } }, select: { id: true } });
  for (const hook of hooks) {
    const messageId = messageIdFor(eventKey, hook.id);
    const job: DeliveryJob = {
      messageId,
      webhookId: hook.id,
      attempt: 1,
      envelope: { type: event.type, appId: event.appId ?? null, data: event.data ?? {}, timestamp: event.occurredAt ?? new Date().toISOString() },
    };
    await queue.send(WEBHOOK_DELIVERY_QUEUE, job, { id: deterministicJobId(messageId, 1), retryLimit: 2 });
  }
  return hooks.length;
}
