import { Redis } from "ioredis";
import { toResult, type RateLimiter, type RateLimitRule } from "./rate-limiter";

// INCR and start the window on the first hit, atomically; returns the count and the ms left.
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

/**
 * Redis counters (shared by every web process) when REDIS_URL is configured. While Redis is
 * unreachable the fallback limiter (Postgres) counts instead: limits keep holding and sign-in
 * keeps working — never fail open, never fail closed.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;

  constructor(
    redisUrl: string,
    private readonly fallback?: RateLimiter,
    private readonly prefix = "wh:rl:",
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
    // Outages are handled per call (fallback); without a listener ioredis logs every reconnect error.
    this.redis.on("error", () => undefined);
  }

  private async withFallback<T>(viaRedis: () => Promise<T>, viaFallback: (f: RateLimiter) => Promise<T>): Promise<T> {
    if (!this.fallback) return viaRedis();
    if (this.redis.status !== "ready") return viaFallback(this.fallback);
    try {
      return await viaRedis();
    } catch {
      return viaFallback(this.fallback);
    }
  }

  async hit(key: string, rule: RateLimitRule) {
    return this.withFallback(
      async () => {
        const [count, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, this.prefix + key, String(rule.windowSeconds * 1000))) as [number, number];
        return toResult(count, rule, ttl);
      },
      (f) => f.hit(key, rule),
    );
  }

  async peek(key: string, rule: RateLimitRule) {
    return this.withFallback(
      async () => {
        const [raw, ttl] = await Promise.all([this.redis.get(this.prefix + key), this.redis.pttl(this.prefix + key)]);
        const count = raw ? Number(raw) : 0;
        return toResult(count, rule, ttl > 0 ? ttl : rule.windowSeconds * 1000);
      },
      (f) => f.peek(key, rule),
    );
  }

  async reset(key: string) {
    await this.withFallback(
      () => this.redis.del(this.prefix + key).then(() => undefined),
      (f) => f.reset(key),
    );
    // A reset must clear whichever store counted the attempts.
    if (this.fallback && this.redis.status === "ready") await this.fallback.reset(key);
  }

  async close() {
    this.redis.disconnect();
  }
}
