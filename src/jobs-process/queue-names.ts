import { EMAIL_QUEUE } from "../server/mail/email-message";
import { PLATFORM_EVENTS_QUEUE } from "../server/events/platform-events";
import { ASSIGN_QUEUE } from "../server/jobs/request-assignment";
import { WEBHOOK_DELIVERY_QUEUE } from "../server/webhooks/delivery-queue";

/** Every pg-boss queue the jobs process works. Periodic ones are fed by cron or throttled ticks. */
export const QUEUES = {
  assign: ASSIGN_QUEUE,
  stuckJobs: "scheduler.stuck-jobs",
  workerHealth: "scheduler.worker-health",
  alertTick: "alerts.tick",
  usageTick: "usage.tick",
  pruneSessions: "prune.sessions",
  pruneUsage: "prune.usage",
  pruneRuntimeLogs: "prune.runtime-logs",
  pruneHeartbeats: "prune.heartbeats",
  webhookDelivery: WEBHOOK_DELIVERY_QUEUE,
  email: EMAIL_QUEUE,
  platformEvents: PLATFORM_EVENTS_QUEUE,
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
