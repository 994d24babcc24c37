import { describe, expect, it } from "vitest";
import { clientIpFromForwardedFor, parseTrustProxy } from "../../src/server/http/client-ip";
import { isSameOrigin } from "../../src/server/http/origin-check";

describe("client IP from X-Forwarded-For and TRUST_PROXY", () => {
  const loopback = parseTrustProxy("loopback");
  it("believes hops only through trusted proxies, right to left", () => {
    expect(clientIpFromForwardedFor("203.0.113.5, 127.0.0.1", loopback)).toBe("203.0.113.5");
    expect(clientIpFromForwardedFor("198.51.100.1, 203.0.113.5, 127.0.0.1", loopback)).toBe("203.0.113.5");
    // The peer itself is not a trusted proxy: what it claims is ignored.
    expect(clientIpFromForwardedFor("10.0.0.1, 203.0.113.5", loopback)).toBe("203.0.113.5");
    expect(clientIpFromForwardedFor("::ffff:127.0.0.1", loopback)).toBe("127.0.0.1");
    expect(clientIpFromForwardedFor("not-an-ip, 127.0.0.1", loopback)).toBe("");
    expect(clientIpFromForwardedFor(null, loopback)).toBe("");
  });
  it("none trusts nobody; CIDRs and private work", () => {
    expect(clientIpFromForwardedFor("203.0.113.5, 127.0.0.1", parseTrustProxy("none"))).toBe("127.0.0.1");
    expect(clientIpFromForwardedFor("203.0.113.5, 10.1.2.3", parseTrustProxy("10.0.0.0/8"))).toBe("203.0.113.5");
    expect(clientIpFromForwardedFor("203.0.113.5, 192.168.1.2", parseTrustProxy("private"))).toBe("203.0.113.5");
    expect(() => parseTrustProxy("bogus")).toThrow(/TRUST_PROXY/);
  });
});

describe("Origin check", () => {
  const config = { PUBLIC_URL: "http://localhost:3000" };
  const headers = new Headers({ host: "localhost:3000" });
  it("accepts the dashboard's origin, refuses missing, null and foreign", () => {
    expect(isSameOrigin("http://localhost:3000", headers, config)).toBe(true);
    expect(isSameOrigin(null, headers, config)).toBe(false);
    expect(isSameOrigin("null", headers, config)).toBe(false);
    expect(isSameOrigin("https://evil.example", headers, config)).toBe(false);
    expect(isSameOrigin("http://localhost:3000.evil.example", headers, config)).toBe(false);
  });
});
