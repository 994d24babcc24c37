/**
 * The hub allows 256 KiB/s sustained and 1 MiB burst of runtime_log + build_log data per
 * connection and drops frames beyond it. Both log streams draw from this one bucket, set below
 * the hub's numbers, so the agent's frames are never refused.
 */
export class LogBudget {
  private tokens: number;
  private last: number;

  /** `now` is the clock the bucket refills by (tests/agent/runtime-log-shipper.test.ts drives its own). */
  constructor(
    private readonly ratePerSecond = 200 * 1024,
    private readonly burst = 768 * 1024,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  available(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    return this.tokens;
  }

  /** Takes `bytes` if they fit now. */
  take(bytes: number): boolean {
    if (this.available() < bytes) return false;
    this.tokens -= bytes;
    return true;
  }

  /** Takes `bytes` even past the budget (a chunk larger than the burst must still go out eventually). */
  spend(bytes: number): void {
    this.available();
    this.tokens -= bytes;
  }

  get rate(): number {
    return this.ratePerSecond;
  }
}
