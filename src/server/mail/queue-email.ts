import type { QueueSender } from "../queue/queue-sender";
import { EMAIL_QUEUE, emailMessageSchema, type EmailMessage } from "./email-message";

/** Queues an email; the jobs process sends it with retries and backoff. */
export async function queueEmail(sender: QueueSender, message: EmailMessage): Promise<void> {
  const parsed = emailMessageSchema.parse(message);
  await sender.send(EMAIL_QUEUE, parsed, { retryLimit: 8, retryDelay: 15, retryBackoff: true, expireInSeconds: 120 });
}
