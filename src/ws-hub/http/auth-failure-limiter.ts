import { createHash } from "node:crypto";

/** Failures counted per key in a fixed window. */
class FailureWindows {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
  ) {}

  retryAfter(key: string, now: number): number {
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now) return 0;
    return w.count >= this.maxFailures ? Math.ceil((w.resetAt - now) / 1000) : 0;
  }

  add(key: string, now: number): void {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    if (this.windows.size > 10_000) for (const [k, old] of this.windows) if (old.resetAt <= now) this.windows.delete(k);
  }
}

/**
 * Counts failed authentications so a client guessing tokens is answered 429 without touching the
 * database — without locking out the valid credentials that share its address (every worker and
 * Traefik behind one proxy or NAT):
 * - per credential presented: one bad credential retried in a loop is blocked, whatever its address;
 * - per address, for unknown credentials only: a credential that authenticated recently on this
 *   hub is never blocked by its address, and callers check credentials that cost no database
 *   lookup (static tokens, JWT signatures) before asking, so a valid one of those always passes.
 * Only fingerprints (sha256) of credentials are kept.
 */
export class AuthFailureLimiter {
  private readonly byAddress: FailureWindows;
  private readonly byCredential: FailureWindows;
  /** Fingerprint → until when it counts as known good. */
  private readonly knownGood = new Map<string, number>();

  constructor(
    maxFailures = 30,
    windowMs = 60_000,
    private readonly onFailure: (endpoint: string) => void = () => undefined,
    private readonly knownGoodMs = 24 * 3_600_000,
  ) {
    this.byAddress = new FailureWindows(maxFailures, windowMs);
    this.byCredential = new FailureWindows(maxFailures, windowMs);
  }

  /** Seconds until this client may try this credential again, or 0 when it is not blocked. */
  retryAfter(client: string, credential: string | undefined, now = Date.now()): number {
    const fp = fingerprint(credential);
    if (fp && (this.knownGood.get(fp) ?? 0) > now) return 0;
    return Math.max(fp ? this.byCredential.retryAfter(fp, now) : 0, this.byAddress.retryAfter(client, now));
  }

  fail(client: string, credential: string | undefined, endpoint: string, now = Date.now()): void {
    this.onFailure(endpoint);
    const fp = fingerprint(credential);
    if (fp) this.byCredential.add(fp, now);
    this.byAddress.add(client, now);
  }

  succeeded(credential: string | undefined, now = Date.now()): void {
    const fp = fingerprint(credential);
    if (!fp) return;
    this.knownGood.delete(fp);
    this.knownGood.set(fp, now + this.knownGoodMs);
    // Oldest first: Map keeps insertion order, and a success re-inserts.
    if (this.knownGood.size > 10_000) this.knownGood.delete(this.knownGood.keys().next().value!);
  }
}

function fingerprint(credential: string | undefined): string | undefined {
  return credential ? createHash("sha256").update(credential, "utf8").digest("base64url") : undefined;
}

export type LimitedAuth<T> = { kind: "ok"; value: T } | { kind: "blocked"; retryAfter: number } | { kind: "unauthorized" };

/**
 * Runs one credential check under the limiter. A `cheap` check (a static token, a JWT signature:
 * no database) runs first, so a valid credential passes even while its address is blocked; a
 * `lookup` check runs only when the client is not blocked, so guessing costs no queries.
 */
export async function checkUnderLimit<T>(
  limiter: AuthFailureLimiter,
  attempt: { client: string; credential: string | undefined; endpoint: string; cost: "cheap" | "lookup" },
  check: () => Promise<T | undefined> | T | undefined,
): Promise<LimitedAuth<T>> {
  const blocked = () => limiter.retryAfter(attempt.client, attempt.credential);
  if (attempt.cost === "lookup") {
    const retryAfter = blocked();
    if (retryAfter > 0) return { kind: "blocked", retryAfter };
  }
  const value = await check();
  if (value !== undefined) {
    limiter.succeeded(attempt.credential);
    return { kind: "ok", value };
  }
  const retryAfter = blocked();
  if (retryAfter > 0) return { kind: "blocked", retryAfter };
  limiter.fail(attempt.client, attempt.credential, attempt.endpoint);
  return { kind: "unauthorized" };
}
