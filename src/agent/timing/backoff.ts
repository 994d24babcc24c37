export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** 0 = none; 0.5 = each delay is drawn from [50 %, 100 %] of the nominal one. */
  jitter: number;
  random?: () => number;
}

/**
 * Exponential backoff with jitter. The jitter spreads a fleet of agents that lost the hub at the
 * same moment, so a restarted hub is not hit by all of them in the same millisecond.
 */
export class Backoff {
  private attempt = 0;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call doubles the nominal delay up to maxMs. */
  next(): number {
    const nominal = Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.attempt);
    if (nominal < this.options.maxMs) this.attempt += 1;
    const low = nominal * (1 - this.options.jitter);
    return Math.round(low + (nominal - low) * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
