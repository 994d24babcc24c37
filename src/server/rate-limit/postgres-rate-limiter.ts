import type { Db } from "../db/client";
import { toResult, type RateLimiter, type RateLimitRule } from "./rate-limiter";

/**
 * rate_limit_buckets when Redis is not configured: one atomic upsert per hit, so concurrent
 * attempts cannot slip past the limit.
 */
export class PostgresRateLimiter implements RateLimiter {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async hit(key: string, rule: RateLimitRule) {
    const now = this.now();
    const resetAt = new Date(now.getTime() + rule.windowSeconds * 1000);
    const rows = await this.db.$queryRaw<{ count: number; reset_at: Date }[]>`
      INSERT INTO rate_limit_buckets (key, count, reset_at) VALUES (${key}, 1, ${resetAt})
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN rate_limit_buckets.reset_at <= ${now} THEN 1 ELSE rate_limit_buckets.count + 1 END,
        reset_at = CASE WHEN rate_limit_buckets.reset_at <= ${now} THEN ${resetAt} ELSE rate_limit_buckets.reset_at END
      RETURNING count, reset_at`;
    const row = rows[0]!;
    return toResult(row.count, rule, row.reset_at.getTime() - now.getTime());
  }

  async peek(key: string, rule: RateLimitRule) {
    const now = this.now();
    const row = await this.db.rateLimitBucket.findUnique({ where: { key } });
    if (!row || row.resetAt <= now) return toResult(0, rule, rule.windowSeconds * 1000);
    return toResult(row.count, rule, row.resetAt.getTime() - now.getTime());
  }

  async reset(key: string) {
    await this.db.rateLimitBucket.deleteMany({ where: { key } });
  }

  async close() {}
}

/** Deletes windows that have ended (housekeeping; safe to run any time). */
export async function pruneRateLimitBuckets(db: Db, now: Date = new Date()): Promise<number> {
  return (await db.rateLimitBucket.deleteMany({ where: { resetAt: { lte: now } } })).count;
}
