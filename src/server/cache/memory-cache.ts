import { DEFAULT_CACHE_TTL_SECONDS, globToRegExp, isGlob, type JsonCache } from "./json-cache";

interface Entry {
  json: string;
  expiresAt: number;
}

/** In-process fallback used when REDIS_URL is not set. Values are stored as JSON so callers get copies. */
export class MemoryCache implements JsonCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly defaultTtlSeconds = DEFAULT_CACHE_TTL_SECONDS,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return JSON.parse(entry.json) as T;
  }

  async set(key: string, value: unknown, ttlSeconds?: number): Promise<void> {
    const ttl = ttlSeconds && ttlSeconds > 0 ? ttlSeconds : this.defaultTtlSeconds;
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.evictOne();
    this.entries.set(key, { json: JSON.stringify(value), expiresAt: this.now() + ttl * 1000 });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async deletePrefix(prefix: string): Promise<void> {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  async deleteByPattern(pattern: string): Promise<void> {
    if (!isGlob(pattern)) return this.delete(pattern);
    const re = globToRegExp(pattern);
    for (const key of this.entries.keys()) if (re.test(key)) this.entries.delete(key);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private evictOne(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
