import type { PgBoss } from "pg-boss";
import type { Services } from "../server/runtime/services";
import { startProcessHeartbeat } from "../server/status/process-heartbeat";
import { LiveStatsStore } from "../server/stats/live-stats-store";
import { registerEmailHandler } from "./handlers/email-handler";
import { registerEventHandlers } from "./handlers/event-handlers";
import { registerMaintenanceHandlers } from "./handlers/maintenance-handlers";
import { registerBackupHandlers } from "./handlers/backup-handlers";
import { assignOnRequest } from "./assign-on-request";
import { registerSchedulerHandlers } from "./handlers/scheduler-handlers";
import { setUpMail, type MailSetup } from "./mail-setup";
import { startPeriodicTicks } from "./periodic-ticks";
import { startBoss } from "./start-boss";

export interface JobsProcessOptions {
  /** pg-boss pool size. */
  bossMax?: number;
  /** Skip the periodic ticks (tests drive handlers through their queues instead). */
  ticks?: boolean;
  /** Per-attempt webhook HTTP deadline (tests shorten it). */
  webhookTimeoutMs?: number;
}

export interface JobsProcess {
  boss: PgBoss;
  mail: MailSetup;
  /** Live app stats from the hubs' batched snapshots (alert poller and usage recorder read it). */
  stats: LiveStatsStore;
  describe(): Record<string, unknown>;
  stop(): Promise<void>;
}

/** Starts everything one jobs process runs; stop() undoes it in reverse order. */
export async function startJobsProcess(services: Services, options: JobsProcessOptions = {}): Promise<JobsProcess> {
  const log = services.log;
  const boss = await startBoss({ connectionString: services.config.DATABASE_URL, log: log.child({ component: "pg-boss" }), max: options.bossMax });
  const startedAt = new Date();
  // Timers stop before pg-boss; what handlers use (mail) stops after it.
  const stops: (() => unknown)[] = [];
  const afterBoss: (() => unknown)[] = [];
  let mail: MailSetup;
  const stats = new LiveStatsStore();
  try {
    mail = await setUpMail(services.config, services.db, log.child({ component: "mail" }));
    afterBoss.push(() => mail.stop());
    stops.push(await stats.subscribe(services.bus));
    await registerSchedulerHandlers(boss, services);
    stops.push(await assignOnRequest(services, log.child({ component: "scheduler" })));
    await registerEventHandlers(boss, services, { stats, dispatcher: services.webhookDispatcher, webhookTimeoutMs: options.webhookTimeoutMs });
    await registerMaintenanceHandlers(boss, services, { stats });
    stops.push(await registerBackupHandlers(boss, services, { startedAt, ticks: options.ticks }));
    if (mail.transport) await registerEmailHandler(boss, services, mail.transport);
    if (options.ticks !== false) stops.push(await startPeriodicTicks(boss, log));
    stops.push(startProcessHeartbeat(services.db, "jobs", () => ({ startedAt: startedAt.toISOString() }), { log }));
  } catch (err) {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    await boss.stop({ graceful: false }).catch(() => undefined);
    for (const stop of afterBoss.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    throw err;
  }

  return {
    boss,
    mail,
    stats,
    describe: () => ({ startedAt, mailCatcherPort: mail.catcher?.port ?? null }),
    async stop() {
      for (const stop of stops.reverse()) await stop();
      // Graceful: running handlers finish before what they use goes away.
      await boss.stop({ graceful: true, timeout: 20_000 });
      for (const stop of afterBoss.reverse()) await stop();
    },
  };
}
