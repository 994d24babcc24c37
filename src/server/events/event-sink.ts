import type { Logger } from "pino";
import type { QueueSender } from "../queue/queue-sender";
import { PLATFORM_EVENTS_QUEUE, platformEventSchema, type PlatformEvent, type PlatformEventSink } from "./platform-events";

/** Queues platform events for the jobs process (alerts, outbound webhooks). */
export function createEventSink(sender: QueueSender, log?: Logger): PlatformEventSink {
  return {
    async emit(event: PlatformEvent) {
      const parsed = platformEventSchema.parse(event);
      try {
        await sender.send(PLATFORM_EVENTS_QUEUE, parsed, { retryLimit: 5, retryBackoff: true });
      } catch (err) {
        // The state change the event reports is already in Postgres; the lost notification is logged loudly.
        log?.error({ err: (err as Error).message, event: parsed.type }, "could not queue platform event");
      }
    },
    async close() {},
  };
}
