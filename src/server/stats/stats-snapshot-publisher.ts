import type { Logger } from "pino";
import type { Bus } from "../bus/channels";
import type { LiveAppStats } from "./live-app-stats";

/**
 * Batches the snapshots a hub receives and publishes them on "stats.snapshot" once per interval
 * (latest per app wins inside a batch), so thousands of workers reporting every few seconds cost
 * one bus message per interval instead of one per frame.
 */
export class StatsSnapshotPublisher {
  private pending = new Map<number, LiveAppStats>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly bus: Bus,
    private readonly log: Logger,
    intervalMs = 1_000,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  add(snapshots: LiveAppStats[]): void {
    for (const s of snapshots) this.pending.set(s.appId, s);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const apps = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.bus.publish("stats.snapshot", { at: Date.now(), apps });
    } catch (err) {
      this.log.warn({ err: (err as Error).message, apps: apps.length }, "stats snapshot publish failed");
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
