import { PgBoss } from "pg-boss";
import type { Logger } from "pino";
import { PLATFORM_EVENTS_QUEUE, platformEventSchema, type PlatformEvent, type PlatformEventSink } from "./platform-events";

/**
 * Sends platform events as pg-boss jobs from any process. Sending only: no workers, no
 * maintenance or cron here (the jobs process runs those), so it is cheap to hold in web and hub.
 */
export class PgBossEventSink implements PlatformEventSink {
  private boss?: Promise<PgBoss>;

  constructor(
    private readonly connectionString: string,
    private readonly log?: Logger,
  ) {}

  private start(): Promise<PgBoss> {
    this.boss ??= (async () => {
      const boss = new PgBoss({ connectionString: this.connectionString, supervise: false, schedule: false, max: 2 });
      boss.on("error", (err) => this.log?.warn({ err: err.message }, "pg-boss (event sink) error"));
      await boss.start();
      await boss.createQueue(PLATFORM_EVENTS_QUEUE).catch(() => undefined);
      return boss;
    })();
    return this.boss;
  }

  async emit(event: PlatformEvent): Promise<void> {
    const parsed = platformEventSchema.parse(event);
    try {
      const boss = await this.start();
      await boss.send(PLATFORM_EVENTS_QUEUE, parsed, { retryLimit: 5, retryBackoff: true });
    } catch (err) {
      // An event that cannot be queued is logged loudly; the state change it reports is already in Postgres.
      this.log?.error({ err: (err as Error).message, event: parsed.type }, "could not queue platform event");
    }
  }

  async close(): Promise<void> {
    if (!this.boss) return;
    const boss = await this.boss.catch(() => undefined);
    await boss?.stop({ graceful: false }).catch(() => undefined);
  }
}
