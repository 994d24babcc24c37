/**
 * Counts failed authentications per client address in a fixed one-minute window, so a client
 * guessing tokens is answered 429 without touching the database. Success never counts.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly maxFailures = 30,
    private readonly windowMs = 60_000,
    private readonly onFailure: (endpoint: string) => void = () => undefined,
  ) {}

  /** Seconds until the client may try again, or 0 when it is not blocked. */
  retryAfter(client: string, now = Date.now()): number {
    const w = this.windows.get(client);
    if (!w || w.resetAt <= now) return 0;
    return w.count >= this.maxFailures ? Math.ceil((w.resetAt - now) / 1000) : 0;
  }

  fail(client: string, endpoint: string, now = Date.now()): void {
    this.onFailure(endpoint);
    let w = this.windows.get(client);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(client, w);
    }
    w.count++;
    if (this.windows.size > 10_000) this.sweep(now);
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }
}
