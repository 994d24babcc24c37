/**
 * The hub's cache of Traefik answers, per key ("proxy", "worker:<id>").
 * - A route-affecting change (deploy result, stop, domain verified or removed, delete: every
 *   `app.changed` on the bus, src/ws-hub/compose/hub-subscriptions.ts) calls `invalidate()`: every
 *   answer built before it is stale, and the next poll waits for a build that started after it.
 *   A build already running when the change arrived may have read the old rows, so it is not reused.
 * - Without a change, an answer older than `ttlMs` is still served while one fresh build runs in
 *   the background (the bus is at-most-once, so the TTL stays the fallback for a missed message),
 *   but never one older than `maxStaleMs`: then the poll waits, and a failure answers 5xx.
 * - Concurrent misses share one build; a failed build is never cached, so the next poll retries.
 */
export class TraefikConfigCache<T> {
  private readonly entries = new Map<string, { value: T; builtAt: number; generation: number }>();
  private readonly inflight = new Map<string, { generation: number; promise: Promise<T> }>();
  private generation = 0;

  constructor(
    private readonly ttlMs = 5_000,
    private readonly maxStaleMs = 60_000,
    private readonly maxEntries = 20_000,
  ) {}

  /** Routes changed: nothing built before this call is served again. */
  invalidate(): void {
    this.generation++;
  }

  async get(key: string, build: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.generation === this.generation) {
      const age = Date.now() - hit.builtAt;
      if (age < this.ttlMs) return hit.value;
      if (age < this.maxStaleMs) {
        this.refresh(key, build).catch(() => undefined);
        return hit.value;
      }
    }
    return this.refresh(key, build);
  }

  private refresh(key: string, build: () => Promise<T>): Promise<T> {
    const generation = this.generation;
    const running = this.inflight.get(key);
    if (running && running.generation === generation) return running.promise;
    const promise = build()
      .then((value) => {
        const current = this.entries.get(key);
        if (!current || current.generation <= generation) {
          if (!current && this.entries.size >= this.maxEntries) this.entries.clear();
          this.entries.set(key, { value, builtAt: Date.now(), generation });
        }
        return value;
      })
      .finally(() => {
        if (this.inflight.get(key)?.promise === promise) this.inflight.delete(key);
      });
    this.inflight.set(key, { generation, promise });
    return promise;
  }
}
