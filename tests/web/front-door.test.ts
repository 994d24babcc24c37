import { mkdtempSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getScriptNonceFromHeaders } from "next/dist/server/app-render/get-script-nonce-from-header";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, type AppConfig } from "../../src/server/config/config";
import { ConfigError } from "../../src/server/config/env";
import { createFrontDoor } from "../../src/web/front-door";

/**
 * Issue 12 items 2 and 16: the web process's front door (src/web/front-door.ts) in a real
 * node:http server. Behind it sits a handler that reports what Next.js would see: the nonce Next
 * extracts from the request (with Next's own function) and the X-Forwarded-For it would read.
 */
const SECRETS = { APP_SECRET: "front-door-secret-0123456789-abcdefghij", WORKER_REGISTRATION_TOKEN: "w".repeat(20), TRAEFIK_PROXY_TOKEN: "t".repeat(20) };

function config(env: Record<string, string>): AppConfig {
  return loadConfig({ DATABASE_URL: "postgresql://unused@127.0.0.1:1/unused", DATA_DIR: mkdtempSync(join(tmpdir(), "wh-front-")), LOG_LEVEL: "silent", ...SECRETS, ...env });
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

interface Seen {
  nonce: string | undefined;
  forwardedFor: string | undefined;
}

async function start(cfg: AppConfig, dev = false): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const handle = async (req: IncomingMessage, res: import("node:http").ServerResponse) => {
    seen.push({ nonce: getScriptNonceFromHeaders(req.headers), forwardedFor: req.headers["x-forwarded-for"] as string | undefined });
    res.writeHead(200, { "content-type": "text/plain" }).end("next");
  };
  server = createServer(createFrontDoor({ config: cfg, log: pino({ level: "silent" }), dev, handle }));
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { port: (server!.address() as AddressInfo).port, seen };
}

/** A raw request with the Host header a browser would send for that name. */
function get(port: number, host: string | null, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage["headers"]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/apps", method: "GET", headers: { ...(host === null ? {} : { host }), ...headers }, setHost: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("Host allow-list (DNS rebinding)", () => {
  it("development: PUBLIC_URL's host and the loopback names on WEB_PORT pass; a rebinding name gets a 421 naming the settings", async () => {
    const { port, seen } = await start(config({ NODE_ENV: "development", PUBLIC_URL: "http://localhost:3000", WEB_PORT: "3000" }));
    for (const host of ["localhost:3000", "LOCALHOST:3000", "127.0.0.1:3000", "[::1]:3000", "localhost.:3000"]) {
      expect((await get(port, host)).status, host).toBe(200);
    }
    const before = seen.length;
    for (const host of ["rebind.attacker.example:3000", "localhost:3001", "127.0.0.1", "localhost", "localhost:3000.evil.example", "evil.example", "", "a b"]) {
      const res = await get(port, host);
      expect(res.status, host).toBe(421);
      expect(res.body).toMatch(/PUBLIC_URL/);
      expect(res.body).toMatch(/ALLOWED_HOSTS/);
    }
    // Without any Host, node:http itself answers 400 before the front door runs.
    expect([400, 421]).toContain((await get(port, null)).status);
    // Nothing behind the front door ran for a refused host.
    expect(seen.length).toBe(before);
  });

  it("production: only PUBLIC_URL's host (with or without its default port) and ALLOWED_HOSTS entries", async () => {
    const { port } = await start(config({ NODE_ENV: "production", PUBLIC_URL: "https://paas.example.com", ALLOWED_HOSTS: "dashboard.internal:8080, 10.0.0.5", WEB_PORT: "3000" }));
    for (const host of ["paas.example.com", "paas.example.com:443", "Paas.Example.Com", "dashboard.internal:8080", "10.0.0.5", "10.0.0.5:80"]) {
      expect((await get(port, host)).status, host).toBe(200);
    }
    for (const host of ["localhost:3000", "127.0.0.1:3000", "dashboard.internal", "paas.example.com:3000", "evil.paas.example.com"]) {
      const res = await get(port, host);
      expect(res.status, host).toBe(421);
      expect(res.body).toContain("paas.example.com (PUBLIC_URL)");
    }
  });

  it("ALLOWED_HOSTS is validated at start, naming the bad entry", () => {
    expect(() => config({ NODE_ENV: "development", ALLOWED_HOSTS: "ok.example, https://bad.example/path" })).toThrow(ConfigError);
    try {
      config({ NODE_ENV: "development", ALLOWED_HOSTS: "*.example.com" });
    } catch (err) {
      expect((err as ConfigError).problems.join("\n")).toMatch(/ALLOWED_HOSTS: "\*\.example\.com" is not a host name/);
    }
  });
});

describe("security headers and the CSP nonce", () => {
  it("every response carries a fresh nonce in its CSP, the same one Next.js reads from the request; a client-sent CSP is overwritten", async () => {
    const { port, seen } = await start(config({ NODE_ENV: "development", PUBLIC_URL: "http://localhost:3000", WEB_PORT: "3000" }));
    const a = await get(port, "localhost:3000", { "content-security-policy": "script-src 'nonce-attackerchosen'" });
    const b = await get(port, "localhost:3000");
    const nonceOf = (csp: unknown) => /'nonce-([A-Za-z0-9+/=]+)'/.exec(String(csp))?.[1];
    const na = nonceOf(a.headers["content-security-policy"]);
    const nb = nonceOf(b.headers["content-security-policy"]);
    expect(na).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(nb).not.toBe(na);
    expect(seen.map((s) => s.nonce)).toEqual([na, nb]);
    const csp = String(a.headers["content-security-policy"]);
    for (const directive of ["default-src 'self'", "'strict-dynamic'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(a.headers["x-content-type-options"]).toBe("nosniff");
    expect(a.headers["x-frame-options"]).toBe("DENY");
    expect(a.headers["referrer-policy"]).toBe("same-origin");
    // Plain http on localhost: no HSTS.
    expect(a.headers["strict-transport-security"]).toBeUndefined();
    // The peer is still appended for the client-IP walk.
    expect(seen[0]!.forwardedFor).toBe("127.0.0.1");
  });

  it("https dashboards get HSTS and upgrade-insecure-requests; next dev gets eval for its overlay", async () => {
    const https = await start(config({ NODE_ENV: "production", PUBLIC_URL: "https://paas.example.com" }));
    const res = await get(https.port, "paas.example.com");
    expect(res.headers["strict-transport-security"]).toBe("max-age=31536000");
    expect(String(res.headers["content-security-policy"])).toContain("upgrade-insecure-requests");
    await new Promise<void>((r) => server!.close(() => r()));
    const dev = await start(config({ NODE_ENV: "development", PUBLIC_URL: "http://localhost:3000", WEB_PORT: "3000" }), true);
    expect(String((await get(dev.port, "localhost:3000")).headers["content-security-policy"])).toContain("'unsafe-eval'");
  });
});
