import type { Db } from "../db/client";
import { PostgresRateLimiter } from "./postgres-rate-limiter";
import type { RateLimiter } from "./rate-limiter";
import { RedisRateLimiter } from "./redis-rate-limiter";

/** Redis when REDIS_URL is set (Postgres while Redis is down), otherwise Postgres. */
export function createRateLimiter(opts: { db: Db; redisUrl?: string; now?: () => Date }): RateLimiter {
  const postgres = new PostgresRateLimiter(opts.db, opts.now);
  return opts.redisUrl ? new RedisRateLimiter(opts.redisUrl, postgres) : postgres;
}

const GLOBAL_KEY = Symbol.for("wisehosting.rateLimiter");
type G = typeof globalThis & { [GLOBAL_KEY]?: RateLimiter };

/** One limiter per process (one Redis connection), created on first use. */
export function getRateLimiter(db: Db, redisUrl: string | undefined): RateLimiter {
  const g = globalThis as G;
  g[GLOBAL_KEY] ??= createRateLimiter({ db, redisUrl });
  return g[GLOBAL_KEY];
}
