/** Byte budget: `ratePerSecond` sustained with bursts up to `burst` (docs/worker-protocol.md log limits). */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes `n` tokens if available; a refused request takes nothing. */
  take(n: number, now = Date.now()): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.ratePerSecond);
    this.last = now;
    if (n > this.tokens) return false;
    this.tokens -= n;
    return true;
  }
}

export const LOG_BYTES_PER_SECOND = 256 * 1024;
export const LOG_BURST_BYTES = 1024 * 1024;
