import type { Dispatcher } from "undici";
import type { Logger } from "pino";
import type { SendOptions } from "pg-boss";
import { cipherContext, type SecretCipher } from "../crypto/secret-cipher";
import type { Db } from "../db/client";
import { deterministicJobId, WEBHOOK_DELIVERY_QUEUE, type DeliveryJob } from "./delivery-queue";
import { postOnce } from "./http-post";
import { isRetryableStatus, nextRetryDelaySeconds } from "./retry-policy";
import { renderForChannel, type WebhookChannelId } from "./webhook-channels";
import { signatureHeaders } from "./webhook-signature";

export interface DeliveryDeps {
  db: Db;
  cipher: SecretCipher;
  dispatcher: Dispatcher;
  queue: { send(queue: string, data: object, options?: SendOptions): Promise<string | null> };
  publicUrl: string;
  log: Logger;
  timeoutMs?: number;
}

export const DELIVERY_TIMEOUT_MS = 15_000;
const MAX_READ_BYTES = 64 * 1024;
const MAX_STORED_BYTES = 4 * 1024;
/** An attempt row left "pending" this long belongs to a process that died mid-attempt. */
const STALE_CLAIM_SECONDS = 90;

export interface AttemptOutcome {
  status: "succeeded" | "failed" | "skipped";
  deliveryId: bigint | null;
  responseCode: number | null;
  durationMs: number;
  error: string | null;
  nextRetryAt: Date | null;
}

/**
 * Claims (message, attempt) by inserting its row; a second runner of the same job gets nothing.
 * A pg-boss retry of the attempt's job (`retriedRun`) takes over a claim left pending: pg-boss
 * retries a job only once its run has ended (failed, or its heartbeat stopped because the jobs
 * process died mid-attempt), so that claim's runner is gone. Without this, the retry that follows a
 * kill -9 within STALE_CLAIM_SECONDS found the claim taken and the delivery was lost.
 */
async function claimAttempt(db: Db, job: DeliveryJob, payload: string, retriedRun: boolean): Promise<bigint | null> {
  const inserted = await db.$queryRaw<{ id: bigint }[]>`
    INSERT INTO webhook_deliveries (webhook_id, message_id, event, payload, status, attempt)
    VALUES (${job.webhookId}, ${job.messageId}, ${job.envelope.type}, ${payload}, 'pending', ${job.attempt})
    ON CONFLICT (message_id, attempt) DO NOTHING
    RETURNING id`;
  if (inserted.length > 0) return inserted[0]!.id;
  const taken = await db.$queryRaw<{ id: bigint }[]>`
    UPDATE webhook_deliveries SET created_at = now()
    WHERE message_id = ${job.messageId} AND attempt = ${job.attempt} AND status = 'pending'
      AND (${retriedRun} OR created_at < now() - make_interval(secs => ${STALE_CLAIM_SECONDS}))
    RETURNING id`;
  return taken[0]?.id ?? null;
}

/**
 * One delivery attempt: sign, POST through the SSRF-guarded dispatcher, record the attempt with
 * the parent counters, then schedule the next attempt (backoff with jitter, or the receiver's
 * Retry-After), or disable the endpoint on 410 Gone. `retries: false` is the test-send path;
 * `retriedRun`: this run is pg-boss's retry of the attempt's job (its retryCount > 0).
 */
export async function performDeliveryAttempt(deps: DeliveryDeps, job: DeliveryJob, options: { retries?: boolean; retriedRun?: boolean } = {}): Promise<AttemptOutcome> {
  const skipped: AttemptOutcome = { status: "skipped", deliveryId: null, responseCode: null, durationMs: 0, error: null, nextRetryAt: null };
  const hook = await deps.db.webhook.findUnique({ where: { id: job.webhookId } });
  if (!hook || !hook.active) return skipped;
  const payload = JSON.stringify(job.envelope);
  const deliveryId = await claimAttempt(deps.db, job, payload, options.retriedRun === true);
  if (deliveryId === null) return skipped;

  let secret: string;
  try {
    secret = deps.cipher.decrypt(hook.secret, cipherContext.webhookSecret(hook.userId));
  } catch (err) {
    deps.log.error({ webhookId: hook.id, err: (err as Error).message }, "webhook secret could not be decrypted; delivery refused");
    return record(deps, hook.id, deliveryId, { status: "failed", responseCode: null, durationMs: 0, error: "The endpoint's signing secret could not be decrypted. Rotate the secret.", nextRetryAt: null, body: "" });
  }
  const rendered = renderForChannel(hook.channel as WebhookChannelId, job.envelope, deps.publicUrl);
  const headers = { ...rendered.headers, ...signatureHeaders(secret, job.messageId, rendered.body), "user-agent": "WiseHosting-Webhooks/1.0" };
  const timeoutMs = deps.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const res = await postOnce(hook.url, headers, rendered.body, { dispatcher: deps.dispatcher, timeoutMs, maxReadBytes: MAX_READ_BYTES, maxStoredBytes: MAX_STORED_BYTES });

  const ok = res.status !== null && res.status >= 200 && res.status < 300 && !res.error;
  let error = res.error;
  if (!ok && !error && res.status !== null && res.status >= 300 && res.status < 400) {
    error = `Redirect to ${res.location ?? "another URL"} not followed; point the webhook at the final URL.`;
  } else if (!ok && !error) error = `Endpoint answered HTTP ${res.status}.`;

  let nextRetryAt: Date | null = null;
  const permanent = res.blocked || res.status === 410 || (res.status !== null && res.status >= 300 && res.status < 400);
  if (!ok && !permanent && options.retries !== false && isRetryableStatus(res.status)) {
    const delay = nextRetryDelaySeconds(job.attempt, res.retryAfter);
    if (delay !== null) {
      nextRetryAt = new Date(Date.now() + delay * 1000);
      const next: DeliveryJob = { ...job, attempt: job.attempt + 1 };
      await deps.queue.send(WEBHOOK_DELIVERY_QUEUE, next, { startAfter: delay, id: deterministicJobId(job.messageId, next.attempt), retryLimit: 2 });
    }
  }
  if (res.status === 410) {
    await deps.db.webhook.update({ where: { id: hook.id }, data: { active: false, disabledReason: "The endpoint answered 410 Gone, so deliveries were stopped. Re-enable it once the URL works again." } });
    deps.log.warn({ webhookId: hook.id }, "webhook disabled after 410 Gone");
  }
  return record(deps, hook.id, deliveryId, { status: ok ? "succeeded" : "failed", responseCode: res.status, durationMs: res.durationMs, error: ok ? null : error, nextRetryAt, body: res.body });
}

async function record(
  deps: DeliveryDeps,
  webhookId: number,
  deliveryId: bigint,
  r: { status: "succeeded" | "failed"; responseCode: number | null; durationMs: number; error: string | null; nextRetryAt: Date | null; body: string },
): Promise<AttemptOutcome> {
  const body = r.body.replace(/\u0000/g, "");
  await deps.db.$transaction([
    deps.db.webhookDelivery.update({
      where: { id: deliveryId },
      data: { status: r.status, responseCode: r.responseCode, responseBody: body, durationMs: r.durationMs, error: r.error, nextRetryAt: r.nextRetryAt },
    }),
    deps.db.webhook.update({
      where: { id: webhookId },
      data: {
        totalDeliveries: { increment: 1 },
        failedDeliveries: { increment: r.status === "failed" ? 1 : 0 },
        lastDeliveryAt: new Date(),
        lastStatus: r.responseCode !== null ? `${r.status} (${r.responseCode})` : r.status,
      },
    }),
  ]);
  return { status: r.status, deliveryId, responseCode: r.responseCode, durationMs: r.durationMs, error: r.error, nextRetryAt: r.nextRetryAt };
}
