/**
 * Delivery schedule after a failed attempt (close to the Standard Webhooks guidance): 5 s, 5 min,
 * 30 min, 2 h, 5 h, each with ±20 % jitter so endpoints recovering from an outage are not hit by
 * every sender at once. Six attempts in all.
 */
const DELAYS_SECONDS = [5, 300, 1_800, 7_200, 18_000];
export const MAX_ATTEMPTS = DELAYS_SECONDS.length + 1;
/** A Retry-After beyond this is capped: the message would be stale anyway. */
const MAX_RETRY_AFTER_SECONDS = 24 * 3_600;

/** Parses Retry-After (seconds or HTTP date) into seconds from now; null when absent or invalid. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed), MAX_RETRY_AFTER_SECONDS);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, Math.ceil((at - now) / 1000)), MAX_RETRY_AFTER_SECONDS);
}

/**
 * Seconds until attempt `attempt + 1`, or null when `attempt` was the last. The receiver's
 * Retry-After wins over our schedule (it knows when it will be back).
 */
export function nextRetryDelaySeconds(attempt: number, retryAfter: string | null, random = Math.random): number | null {
  if (attempt >= MAX_ATTEMPTS) return null;
  const asked = parseRetryAfter(retryAfter);
  if (asked !== null) return Math.max(1, asked);
  const base = DELAYS_SECONDS[attempt - 1]!;
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}

/** Whether a response status is worth retrying (410 disables instead; 2xx is success). */
export function isRetryableStatus(status: number | null): boolean {
  if (status === null) return true;
  return status !== 410 && (status < 200 || status >= 300);
}
