import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { safeEqual } from "../../server/crypto/api-key";
import type { SecretCipher } from "../../server/crypto/secret-cipher";
import type { Db } from "../../server/db/client";
import { encodeConfig, type EncodedConfig } from "../../server/traefik/encoded-config";
import { buildProxyRoutes } from "../../server/traefik/proxy-traefik-config";
import type { TraefikConfigCache } from "../../server/traefik/traefik-config-cache";
import { buildWorkerTraefikConfig } from "../../server/traefik/worker-traefik-config";
import type { WorkerAuthenticator } from "../../server/workers/worker-auth";
import { looksLikeJwt } from "../../server/workers/worker-jwt";
import { checkUnderLimit, type AuthFailureLimiter } from "./auth-failure-limiter";
import type { Route } from "./http-server";
import { bearerToken, HttpError } from "./respond";

export interface TraefikRouteDeps {
  db: Db;
  cipher: SecretCipher;
  auth: WorkerAuthenticator;
  limiter: AuthFailureLimiter;
  log: Logger;
  proxyToken: string;
  platformDomain: string;
  certResolver: string;
  /** Shared with the hub's bus subscription, which invalidates it on route changes. */
  cache: TraefikConfigCache<EncodedConfig>;
}

/** True when the request's Accept-Encoding takes gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === etag || t === `W/${etag}`;
  });
}

/**
 * The cache holds encoded bytes (src/server/traefik/encoded-config.ts): a 10,000-app config is
 * megabytes, not worth re-encoding or re-compressing per poll. An unchanged config is a 304.
 */
function sendConfig(req: IncomingMessage, res: ServerResponse, config: EncodedConfig): void {
  const headers = { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache", etag: config.etag, vary: "accept-encoding" };
  if (etagMatches(req.headers["if-none-match"], config.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzip = acceptsGzip(req.headers["accept-encoding"]);
  const body = gzip ? config.gzip : config.body;
  res.writeHead(200, { ...headers, "content-length": body.length, ...(gzip ? { "content-encoding": "gzip" } : {}) });
  res.end(body);
}

/**
 * Traefik drops every route when a provider answers an empty 200, so a failure here must be a
 * 5xx (Traefik then keeps its last good configuration), never `{}`.
 */
async function buildOr503(log: Logger, what: string, build: () => Promise<EncodedConfig>): Promise<EncodedConfig> {
  try {
    return await build();
  } catch (err) {
    log.error({ err: (err as Error).message }, `${what} could not be built`);
    throw new HttpError("unavailable", "The configuration could not be built; keep the last one and retry.", { "retry-after": "5" });
  }
}

export function traefikRoutes(deps: TraefikRouteDeps): Route[] {
  const { cache } = deps;
  /** Each routed app's upstream in the last proxy config this hub built. */
  let lastProxyUpstreams: ReadonlyMap<number, string> = new Map();
  /** Checks the bearer under the failure limiter (src/ws-hub/http/auth-failure-limiter.ts). */
  const authorize = async <T>(req: IncomingMessage, what: string, cost: "cheap" | "lookup", check: (token: string | undefined) => Promise<T | undefined> | T | undefined) => {
    const token = bearerToken(req);
    const attempt = { client: req.socket.remoteAddress ?? "unknown", credential: token, endpoint: (req.url ?? "").split("?")[0]!, cost };
    const outcome = await checkUnderLimit(deps.limiter, attempt, () => check(token));
    if (outcome.kind === "ok") return outcome.value;
    if (outcome.kind === "blocked") {
      throw new HttpError("rate_limited", `Too many failed attempts. Retry in ${outcome.retryAfter} s.`, { "retry-after": String(outcome.retryAfter) });
    }
    throw new HttpError("unauthorized", `Send ${what} as "Authorization: Bearer <token>".`);
  };
  return [
    {
      method: "GET",
      path: "/v1/traefik/config",
      async handler(req, res) {
        const token = bearerToken(req);
        const who = await authorize(req, "a worker JWT or the worker's API key", token && looksLikeJwt(token) ? "cheap" : "lookup", async (t) => {
          try {
            return await deps.auth.authenticate(t);
          } catch (err) {
            deps.log.warn({ err: (err as Error).message }, "traefik config auth failed");
            throw new HttpError("unavailable", "Credentials cannot be checked right now; retry.", { "retry-after": "5" });
          }
        });
        const json = await buildOr503(deps.log, "worker traefik config", () =>
          cache.get(`worker:${who.worker.id}`, async () => encodeConfig(await buildWorkerTraefikConfig(deps.db, deps.cipher, who.worker.id))),
        );
        sendConfig(req, res, json);
      },
    },
    {
      method: "GET",
      path: "/v1/traefik/proxy-config",
      async handler(req, res) {
        await authorize(req, "the Traefik proxy token", "cheap", (t) => (t && safeEqual(t, deps.proxyToken) ? true : undefined));
        const json = await buildOr503(deps.log, "proxy traefik config", () =>
          cache.get("proxy", async () => {
            // A redeploying app keeps the route it had (proxy-traefik-config.ts, STILL_SERVING).
            const built = await buildProxyRoutes(deps.db, { platformDomain: deps.platformDomain, certResolver: deps.certResolver, previous: lastProxyUpstreams });
            lastProxyUpstreams = built.upstreams;
            return encodeConfig(built.config);
          }),
        );
        sendConfig(req, res, json);
      },
    },
  ];
}
