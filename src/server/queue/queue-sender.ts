import { PgBoss, type SendOptions } from "pg-boss";
import type { Logger } from "pino";

/**
 * Sends pg-boss jobs from any process (web, ws-hub). Sending only: no workers, no maintenance or
 * cron (the jobs process runs those), so holding one in every process is cheap.
 */
export class QueueSender {
  private boss?: Promise<PgBoss>;
  private readonly created = new Set<string>();

  constructor(
    private readonly connectionString: string,
    private readonly log?: Logger,
  ) {}

  private start(): Promise<PgBoss> {
    this.boss ??= (async () => {
      const boss = new PgBoss({ connectionString: this.connectionString, supervise: false, schedule: false, max: 2 });
      boss.on("error", (err) => this.log?.warn({ err: err.message }, "pg-boss sender error"));
      await boss.start();
      return boss;
    })().catch((err) => {
      this.boss = undefined;
      throw err;
    });
    return this.boss;
  }

  /** Queues a job; the queue is created on first use. Returns the pg-boss job id. */
  async send(queue: string, data: object, options: SendOptions = {}): Promise<string | null> {
    const boss = await this.start();
    if (!this.created.has(queue)) {
      if (!(await boss.getQueue(queue))) await boss.createQueue(queue).catch(() => undefined);
      this.created.add(queue);
    }
    return boss.send(queue, data, options);
  }

  async close(): Promise<void> {
    if (!this.boss) return;
    const boss = await this.boss.catch(() => undefined);
    await boss?.stop({ graceful: false }).catch(() => undefined);
  }
}
