import { describe, expect, it } from "vitest";
import { AuthFailureLimiter, checkUnderLimit } from "../../src/ws-hub/http/auth-failure-limiter";

describe("auth failure limiter", () => {
  it("blocks one bad credential retried from many addresses, and no other credential", () => {
    const limiter = new AuthFailureLimiter(5, 60_000);
    const now = 1_000_000;
    for (let i = 0; i < 5; i++) limiter.fail(`192.0.2.${i}`, "stolen-old-key", "/v1/workers/ws", now);
    expect(limiter.retryAfter("192.0.2.99", "stolen-old-key", now)).toBe(60);
    expect(limiter.retryAfter("192.0.2.99", "some-other-key", now)).toBe(0);
    expect(limiter.retryAfter("192.0.2.99", "stolen-old-key", now + 60_001)).toBe(0);
  });

  it("never blocks a credential that authenticated recently, even from a blocked address", () => {
    const limiter = new AuthFailureLimiter(3, 60_000);
    const now = 2_000_000;
    limiter.succeeded("good-key", now);
    for (let i = 0; i < 3; i++) limiter.fail("198.51.100.7", `guess-${i}`, "/v1/stats", now);
    expect(limiter.retryAfter("198.51.100.7", "guess-99", now)).toBeGreaterThan(0);
    expect(limiter.retryAfter("198.51.100.7", "good-key", now)).toBe(0);
  });

  it("a lookup check is not run for a blocked client; a cheap one is, and a valid answer passes", async () => {
    const limiter = new AuthFailureLimiter(1, 60_000);
    limiter.fail("203.0.113.1", "guess", "/v1/stats");
    let lookups = 0;
    const lookup = () => {
      lookups++;
      return undefined;
    };
    expect(await checkUnderLimit(limiter, { client: "203.0.113.1", credential: "guess-2", endpoint: "/x", cost: "lookup" }, lookup)).toMatchObject({ kind: "blocked" });
    expect(lookups).toBe(0);
    expect(await checkUnderLimit(limiter, { client: "203.0.113.1", credential: "valid", endpoint: "/x", cost: "cheap" }, () => "ok")).toEqual({ kind: "ok", value: "ok" });
    expect(await checkUnderLimit(limiter, { client: "203.0.113.1", credential: "bad", endpoint: "/x", cost: "cheap" }, () => undefined)).toMatchObject({ kind: "blocked" });
  });
});
