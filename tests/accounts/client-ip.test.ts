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
  const config = { PUBLIC_URL: "http://localhost:3000", ALLOWED_HOSTS: "", WEB_PORT: 3000, isProduction: false };
  it("accepts the dashboard's origin, refuses missing, null and foreign", () => {
    expect(isSameOrigin("http://localhost:3000", config)).toBe(true);
    expect(isSameOrigin(null, config)).toBe(false);
    expect(isSameOrigin("null", config)).toBe(false);
    expect(isSameOrigin("https://evil.example", config)).toBe(false);
    expect(isSameOrigin("http://localhost:3000.evil.example", config)).toBe(false);
  });

  it("never trusts the request's own Host: a rebinding page's Origin is refused (issue 12 item 2)", () => {
    // Before the fix, an Origin equal to the request's Host passed: under DNS rebinding they agree.
    expect(isSameOrigin("http://rebind.attacker.example:3000", config)).toBe(false);
    expect(isSameOrigin("http://127.0.0.1:3000", config)).toBe(true);
    expect(isSameOrigin("http://[::1]:3000", config)).toBe(true);
    expect(isSameOrigin("https://localhost:3000", config)).toBe(false);
    expect(isSameOrigin("http://127.0.0.1:3001", config)).toBe(false);
    const production = { PUBLIC_URL: "https://paas.example.com", ALLOWED_HOSTS: "dashboard.internal:8080", WEB_PORT: 3000, isProduction: true };
    expect(isSameOrigin("https://paas.example.com", production)).toBe(true);
    expect(isSameOrigin("http://paas.example.com", production)).toBe(false);
    expect(isSameOrigin("http://dashboard.internal:8080", production)).toBe(true);
    expect(isSameOrigin("http://localhost:3000", production)).toBe(false);
  });
});
