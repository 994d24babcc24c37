import type { Logger } from "pino";
import { emailMessageSchema } from "./email-message";
import type { MailTransport } from "./mail-transport";

export interface EmailAttempt {
  /** pg-boss retry count of this attempt (0 = first). */
  retryCount: number;
  retryLimit: number;
}

/**
 * Sends one queued email. Throws on failure so pg-boss retries it with backoff; every failure is
 * logged with the attempt number, and the last one as an error naming the recipient's domain.
 */
export async function deliverEmail(transport: MailTransport, from: string, data: unknown, attempt: EmailAttempt, log: Logger): Promise<void> {
  const parsed = emailMessageSchema.safeParse(data);
  if (!parsed.success) {
    // A malformed message will never send; retrying it would only repeat the error.
    log.error({ issues: parsed.error.issues.map((i) => i.message) }, "dropping malformed email job");
    return;
  }
  const msg = parsed.data;
  const domain = msg.to.split("@")[1] ?? "";
  try {
    const info = await transport.send({ from, to: msg.to, subject: msg.subject, html: msg.html, text: msg.text });
    log.info({ kind: msg.kind, domain, messageId: info.messageId, attempt: attempt.retryCount + 1 }, "email sent");
  } catch (err) {
    const final = attempt.retryCount >= attempt.retryLimit;
    const entry = { kind: msg.kind, domain, via: transport.describe(), attempt: attempt.retryCount + 1, of: attempt.retryLimit + 1, err: (err as Error).message };
    if (final) log.error(entry, "email could not be delivered; giving up");
    else log.warn(entry, "email delivery failed; will retry");
    throw err;
  }
}
