import type { Db } from "../db/client";
import { PostgresRateLimiter } from "./postgres-rate-limiter";
import type { RateLimiter } from "./rate-limiter";
import { RedisRateLimiter } from "./redis-rate-limiter";

/** Redis when REDIS_URL is set (Postgres while Redis is down), otherwise Postgres. */
export function createRateLimiter(opts: { db: Db; redisUrl?: string; now?: () => Date }): RateLimiter {
  const postgres = new PostgresRateLimiter(opts.db, opts.now);
  return opts.redisUrl ? new RedisRateLimiter(opts.redisUrl, postgres) : postgres;
}
