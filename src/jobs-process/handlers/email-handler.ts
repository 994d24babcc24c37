import type { PgBoss } from "pg-boss";
import type { Services } from "../../server/runtime/services";
import { deliverEmail } from "../../server/mail/deliver-email";
import type { MailTransport } from "../../server/mail/mail-transport";
import { QUEUES } from "../queue-names";

/** Sends queued email; a thrown error makes pg-boss retry with backoff (queueEmail sets the limits). */
export async function registerEmailHandler(boss: PgBoss, services: Services, transport: MailTransport): Promise<void> {
  const log = services.log.child({ component: "email" });
  await boss.work(QUEUES.email, { includeMetadata: true, localConcurrency: 2, notifyPollingIntervalSeconds: 2 }, async ([job]) => {
    if (!job) return;
    await deliverEmail(transport, services.config.MAIL_FROM, job.data, { retryCount: job.retryCount, retryLimit: job.retryLimit }, log);
  });
}
