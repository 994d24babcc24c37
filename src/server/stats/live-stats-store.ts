import type { Bus } from "../bus/channels";
import { LIVE_STATS_TTL_MS, type LiveAppStats } from "./live-app-stats";

/**
 * Live per-app stats with a short TTL. Each hub writes what its workers report;
 * every other process (jobs: alerts and usage; web: live CPU/memory; other hubs) instantiates one
 * and calls `subscribe(bus)` to receive the hubs' batched snapshots.
 *
 *   const stats = new LiveStatsStore();
 *   const stop = await stats.subscribe(services.bus);
 *   stats.get(appId)   // → LiveAppStats | undefined (undefined when missing or stale)
 *   stats.all()        // → every live snapshot
 */
export class LiveStatsStore {
  private readonly entries = new Map<number, LiveAppStats>();
  private lastSweep = 0;

  constructor(
    private readonly ttlMs = LIVE_STATS_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores snapshots; an older snapshot never overwrites a newer one for the same app. */
  put(snapshots: Iterable<LiveAppStats>): void {
    for (const s of snapshots) {
      const current = this.entries.get(s.appId);
      if (!current || current.updatedAt <= s.updatedAt) this.entries.set(s.appId, s);
    }
    this.sweepIfDue();
  }

  get(appId: number): LiveAppStats | undefined {
    const s = this.entries.get(appId);
    if (!s) return undefined;
    if (this.now() - s.updatedAt > this.ttlMs) {
      this.entries.delete(appId);
      return undefined;
    }
    return s;
  }

  all(): LiveAppStats[] {
    const cutoff = this.now() - this.ttlMs;
    return [...this.entries.values()].filter((s) => s.updatedAt >= cutoff);
  }

  delete(appId: number): void {
    this.entries.delete(appId);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Follows every hub's batched snapshots; returns the unsubscribe function. */
  subscribe(bus: Bus): Promise<() => void> {
    return bus.subscribe("stats.snapshot", (msg) => this.put(msg.apps));
  }

  private sweepIfDue(): void {
    const now = this.now();
    if (now - this.lastSweep < this.ttlMs) return;
    this.lastSweep = now;
    const cutoff = now - this.ttlMs;
    for (const [id, s] of this.entries) if (s.updatedAt < cutoff) this.entries.delete(id);
  }
}
