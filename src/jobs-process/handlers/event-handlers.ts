import type { PgBoss } from "pg-boss";
import type { Dispatcher } from "undici";
import { ensureRulesForRunningApps } from "../../server/alerts/alert-rules";
import { applyEventToAlerts, resolveQuietCrashloops } from "../../server/alerts/event-alerts";
import { runAlertTick, type StatsReader } from "../../server/alerts/threshold-poller";
import { platformEventSchema } from "../../server/events/platform-events";
import type { Services } from "../../server/runtime/services";
import { deliveryJobSchema } from "../../server/webhooks/delivery-queue";
import { performDeliveryAttempt } from "../../server/webhooks/deliver-webhook";
import { fanOutEvent } from "../../server/webhooks/fan-out";
import { QUEUES } from "../queue-names";

export interface EventHandlerDeps {
  stats: StatsReader;
  dispatcher: Dispatcher;
  /** Per-attempt HTTP deadline (tests shorten it). */
  webhookTimeoutMs?: number;
}

/** Platform events → alerts and webhook fan-out; delivery attempts; the 30 s threshold poller. */
export async function registerEventHandlers(boss: PgBoss, services: Services, deps: EventHandlerDeps): Promise<void> {
  const log = services.log.child({ component: "events" });
  await boss.work(QUEUES.platformEvents, { batchSize: 20, notifyPollingIntervalSeconds: 2 }, async (jobs) => {
    for (const job of jobs) {
      const parsed = platformEventSchema.safeParse(job.data);
      if (!parsed.success) {
        log.error({ jobId: job.id, issues: parsed.error.issues.map((i) => i.message) }, "dropping malformed platform event");
        continue;
      }
      await applyEventToAlerts(services.db, parsed.data);
      const queued = await fanOutEvent(services.db, services.queue, parsed.data, job.id);
      if (queued > 0) log.debug({ type: parsed.data.type, queued }, "webhook deliveries queued");
    }
  });
  const deliveryLog = services.log.child({ component: "webhooks" });
  await boss.work(QUEUES.webhookDelivery, { includeMetadata: true, localConcurrency: 4, notifyPollingIntervalSeconds: 2 }, async ([job]) => {
    if (!job) return;
    const parsed = deliveryJobSchema.safeParse(job.data);
    if (!parsed.success) {
      deliveryLog.error({ jobId: job.id }, "dropping malformed webhook delivery job");
      return;
    }
    const outcome = await performDeliveryAttempt(
      { db: services.db, cipher: services.cipher, dispatcher: deps.dispatcher, queue: services.queue, publicUrl: services.config.PUBLIC_URL, log: deliveryLog, timeoutMs: deps.webhookTimeoutMs },
      parsed.data,
      // A retry's attempt may have been claimed by a run that died mid-attempt (deliver-webhook.ts).
      { retriedRun: job.retryCount > 0 },
    );
    if (outcome.status === "failed") {
      deliveryLog.warn({ webhookId: parsed.data.webhookId, attempt: parsed.data.attempt, code: outcome.responseCode, err: outcome.error, nextRetryAt: outcome.nextRetryAt }, "webhook delivery failed");
    }
  });
  const alertLog = services.log.child({ component: "alerts" });
  await boss.work(QUEUES.alertTick, async () => {
    const started = performance.now();
    await ensureRulesForRunningApps(services.db);
    const result = await runAlertTick({ db: services.db, stats: deps.stats, events: services.events });
    const quiet = await resolveQuietCrashloops(services.db);
    if (result.fired + result.resolved + quiet > 0) alertLog.info({ ...result, crashloopsResolved: quiet, ms: Math.round(performance.now() - started) }, "alert tick");
  });
}
