import { z } from "zod";

/**
 * Platform events: emitted by the web, hub and jobs processes; consumed by
 * the jobs process, which turns them into alerts and outbound webhook deliveries.
 */
export const PLATFORM_EVENT_TYPES = [
  "deployment.succeeded",
  "deployment.failed",
  "app.stopped",
  "app.crashed",
  "app.violation",
  "app.cpu",
  "app.memory",
  "app.network",
  "app.disk",
  "app.offline",
  "account.login_new_device",
] as const;

export const platformEventSchema = z.object({
  type: z.enum(PLATFORM_EVENT_TYPES),
  userId: z.number().int(),
  appId: z.number().int().nullable().default(null),
  /** Free-form details: app name, subdomain, commit sha/message, reason, value, threshold … */
  data: z.record(z.string(), z.unknown()).default({}),
  occurredAt: z.string().default(() => new Date().toISOString()),
});
export type PlatformEvent = z.input<typeof platformEventSchema>;

/** The pg-boss queue the jobs process consumes platform events from. */
export const PLATFORM_EVENTS_QUEUE = "platform-events";

export interface PlatformEventSink {
  emit(event: PlatformEvent): Promise<void>;
  close(): Promise<void>;
}
