import { rateLimited } from "../errors/domain-errors";
import type { RateLimiter, RateLimitRule } from "./rate-limiter";

export interface LimitCheck {
  key: string;
  rule: RateLimitRule;
}

/**
 * Counts one attempt against every key and refuses with "try again in N seconds" when any is
 * over its rule. Every key is counted even when an earlier one refuses, so spreading attempts
 * over keys does not help an attacker.
 */
export async function enforceLimits(limiter: RateLimiter, checks: LimitCheck[]): Promise<void> {
  const results = await Promise.all(checks.map((c) => limiter.hit(c.key, c.rule)));
  const refused = results.filter((r) => !r.allowed);
  if (refused.length > 0) throw rateLimited(Math.max(...refused.map((r) => r.retryAfterSeconds)));
}
