import type { PgBoss } from "pg-boss";
import { pruneRuntimeLogs, prunePendingTotps, pruneSessions, pruneStaleHeartbeats, pruneUsageSamples, pruneWebhookDeliveries } from "../../server/pruning/prune-tasks";
import { pruneRateLimitBuckets } from "../../server/rate-limit/postgres-rate-limiter";
import type { Services } from "../../server/runtime/services";
import { recordUsageTick, type LiveStatsSource } from "../../server/usage/record-usage-tick";
import { QUEUES } from "../queue-names";

/** Usage recording and every pruning schedule. All deletes and folds are idempotent. */
export async function registerMaintenanceHandlers(boss: PgBoss, services: Services, deps: { stats: LiveStatsSource }): Promise<void> {
  const log = services.log.child({ component: "maintenance" });
  await boss.work(QUEUES.usageTick, async () => {
    const started = performance.now();
    const { folded } = await recordUsageTick(services.db, deps.stats);
    if (folded > 0) log.debug({ folded, ms: Math.round(performance.now() - started) }, "usage tick");
  });
  await boss.work(QUEUES.pruneSessions, async () => {
    const sessions = await pruneSessions(services.db);
    const totps = await prunePendingTotps(services.db);
    const rateLimits = await pruneRateLimitBuckets(services.db);
    log.info({ sessions, totps, rateLimits }, "pruned sessions, 2FA challenges and expired rate-limit windows");
  });
  await boss.work(QUEUES.pruneUsage, async () => {
    const samples = await pruneUsageSamples(services.db);
    const deliveries = await pruneWebhookDeliveries(services.db);
    log.info({ samples, deliveries }, "pruned usage samples and webhook deliveries");
  });
  await boss.work(QUEUES.pruneRuntimeLogs, async () => {
    const lines = await pruneRuntimeLogs(services.db, services.config.RUNTIME_LOG_RETENTION_DAYS);
    if (lines > 0) log.info({ lines, retentionDays: services.config.RUNTIME_LOG_RETENTION_DAYS }, "pruned runtime logs");
  });
  await boss.work(QUEUES.pruneHeartbeats, async () => {
    await pruneStaleHeartbeats(services.db);
  });
}
