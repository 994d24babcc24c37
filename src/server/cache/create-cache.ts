import type { Logger } from "pino";
import type { JsonCache } from "./json-cache";
import { MemoryCache } from "./memory-cache";
import { RedisCache } from "./redis-cache";

/** Redis when REDIS_URL is set, otherwise the in-process cache. */
export function createCache(redisUrl: string | undefined, log?: Logger): JsonCache {
  return redisUrl ? new RedisCache(redisUrl, log) : new MemoryCache();
}
