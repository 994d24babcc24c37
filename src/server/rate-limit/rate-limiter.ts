/** Fixed-window counters keyed by a string (e.g. `signin:account:42`). */
export interface RateLimitResult {
  allowed: boolean;
  count: number;
  /** Seconds until the window resets (≥ 1 when refused). */
  retryAfterSeconds: number;
}

export interface RateLimitRule {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

export interface RateLimiter {
  /** Counts one attempt against the key and says whether it is within the rule. */
  hit(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
  /** Reads the counter without counting. */
  peek(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

export function toResult(count: number, rule: RateLimitRule, resetInMs: number): RateLimitResult {
  return { allowed: count <= rule.limit, count, retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)) };
}
