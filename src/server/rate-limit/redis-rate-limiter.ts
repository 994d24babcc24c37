import { Redis } from "ioredis";
import { toResult, type RateLimiter, type RateLimitRule } from "./rate-limiter";

// INCR and start the window on the first hit, atomically; returns the count and the ms left.
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

/** Redis counters (shared by every web process) when REDIS_URL is configured. */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;

  constructor(redisUrl: string, private readonly prefix = "wh:rl:") {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
  }

  async hit(key: string, rule: RateLimitRule) {
    const [count, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, this.prefix + key, String(rule.windowSeconds * 1000))) as [number, number];
    return toResult(count, rule, ttl);
  }

  async peek(key: string, rule: RateLimitRule) {
    const [raw, ttl] = await Promise.all([this.redis.get(this.prefix + key), this.redis.pttl(this.prefix + key)]);
    const count = raw ? Number(raw) : 0;
    return toResult(count, rule, ttl > 0 ? ttl : rule.windowSeconds * 1000);
  }

  async reset(key: string) {
    await this.redis.del(this.prefix + key);
  }

  async close() {
    this.redis.disconnect();
  }
}
