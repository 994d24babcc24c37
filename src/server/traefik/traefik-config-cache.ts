/**
 * Traefik polls every few seconds; answers are cached 5 s per key. Concurrent misses share
 * one build, and a failed build is never cached, so the next poll retries.
 */
export class TraefikConfigCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  private readonly inflight = new Map<string, Promise<T>>();

  constructor(private readonly ttlMs = 5_000) {}

  async get(key: string, build: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit.value;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = build()
        .then((value) => {
          this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
          if (this.entries.size > 10_000) this.entries.clear();
          return value;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }
}
