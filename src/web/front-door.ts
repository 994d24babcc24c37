import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { AppConfig } from "../server/config/config";
import { appendPeerToForwardedFor } from "../server/http/forwarded-for";
import { hostRefusalMessage, isAllowedHost, normaliseHost } from "../server/http/host-allow-list";
import { newCspNonce, securityHeaders } from "../server/http/security-headers";

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Refused names are logged once each, so a scanner cannot flood the log. */
const MAX_LOGGED_HOSTS = 100;

/**
 * What every request meets before Next.js sees it, pages, tRPC, route handlers and push webhooks
 * alike:
 * 1. the Host allow-list (src/server/http/host-allow-list.ts): any other name gets a 421 naming
 *    PUBLIC_URL and ALLOWED_HOSTS, so a rebinding page cannot drive a local platform;
 * 2. the socket peer appended to X-Forwarded-For (src/server/http/forwarded-for.ts);
 * 3. a fresh CSP nonce, written into the request's own Content-Security-Policy header (where
 *    Next.js reads the nonce it puts on its scripts; a client-sent one is overwritten) and the
 *    security headers onto the response.
 */
export function createFrontDoor(options: { config: AppConfig; log: Logger; dev: boolean; handle: Handler }): RequestListener {
  const { config, log, dev, handle } = options;
  const loggedHosts = new Set<string>();
  return (req, res) => {
    if (!isAllowedHost(config, req.headers.host)) {
      const host = normaliseHost(req.headers.host) ?? "(invalid)";
      if (!loggedHosts.has(host) && loggedHosts.size < MAX_LOGGED_HOSTS) {
        loggedHosts.add(host);
        log.warn({ host, publicUrl: config.PUBLIC_URL }, "request for a host the dashboard does not serve refused (421); set ALLOWED_HOSTS to admit it");
      }
      res.writeHead(421, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" });
      res.end(hostRefusalMessage(config, req.headers.host));
      return;
    }
    appendPeerToForwardedFor(req);
    const nonce = newCspNonce();
    const headers = securityHeaders(config, { nonce, dev });
    req.headers["content-security-policy"] = headers["content-security-policy"];
    delete req.headers["content-security-policy-report-only"];
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    handle(req, res).catch((err: unknown) => {
      log.error({ err, url: req.url }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal error");
    });
  };
}
