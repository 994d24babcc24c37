import { Redis } from "ioredis";
import type { Logger } from "pino";
import { DEFAULT_CACHE_TTL_SECONDS, escapeGlob, isGlob, type JsonCache } from "./json-cache";

const SCAN_COUNT = 500;

/**
 * Redis-backed JSON cache. Redis being down (at start or mid-run) never fails a caller: reads are
 * misses and writes are dropped until the connection returns. Corrupted entries are deleted.
 */
export class RedisCache implements JsonCache {
  readonly client: Redis;

  constructor(
    url: string,
    private readonly log?: Logger,
    private readonly defaultTtlSeconds = DEFAULT_CACHE_TTL_SECONDS,
    private readonly keyPrefix = "wh:cache:",
  ) {
    this.client = new Redis(url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
      commandTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
    });
    let warned = false;
    this.client.on("error", (err) => {
      if (!warned) this.log?.warn({ err: err.message }, "redis cache unavailable; serving cache misses");
      warned = true;
    });
    this.client.on("ready", () => {
      if (warned) this.log?.info("redis cache reconnected");
      warned = false;
    });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.attempt(() => this.client.get(this.keyPrefix + key));
    if (raw == null) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      await this.delete(key);
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds?: number): Promise<void> {
    const ttl = ttlSeconds && ttlSeconds > 0 ? ttlSeconds : this.defaultTtlSeconds;
    await this.attempt(() => this.client.set(this.keyPrefix + key, JSON.stringify(value), "EX", Math.ceil(ttl)));
  }

  async delete(key: string): Promise<void> {
    await this.attempt(() => this.client.del(this.keyPrefix + key));
  }

  async deletePrefix(prefix: string): Promise<void> {
    await this.scanDelete(`${escapeGlob(this.keyPrefix + prefix)}*`);
  }

  async deleteByPattern(pattern: string): Promise<void> {
    if (!isGlob(pattern)) return this.delete(pattern);
    await this.scanDelete(escapeGlob(this.keyPrefix) + pattern);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  /** SCAN + DEL in pages; never KEYS, which blocks Redis on large keyspaces. */
  private async scanDelete(match: string): Promise<void> {
    await this.attempt(async () => {
      let cursor = "0";
      do {
        const [next, keys] = await this.client.scan(cursor, "MATCH", match, "COUNT", SCAN_COUNT);
        if (keys.length > 0) await this.client.del(...keys);
        cursor = next;
      } while (cursor !== "0");
      return null;
    });
  }

  private async attempt<T>(op: () => Promise<T>): Promise<T | null> {
    if (this.client.status !== "ready") return null;
    try {
      return await op();
    } catch (err) {
      this.log?.debug({ err: (err as Error).message }, "redis cache operation failed");
      return null;
    }
  }
}
