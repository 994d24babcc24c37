import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { safeEqual } from "../../server/crypto/api-key";
import type { SecretCipher } from "../../server/crypto/secret-cipher";
import type { Db } from "../../server/db/client";
import { buildProxyTraefikConfig } from "../../server/traefik/proxy-traefik-config";
import { TraefikConfigCache } from "../../server/traefik/traefik-config-cache";
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
}

/** The cache holds encoded bytes: a 10,000-app config is megabytes, not worth re-encoding per poll. */
function sendConfig(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": body.length, "cache-control": "no-store" });
  res.end(body);
}

/**
 * Traefik drops every route when a provider answers an empty 200, so a failure here must be a
 * 5xx (Traefik then keeps its last good configuration), never `{}`.
 */
async function buildOr503(log: Logger, what: string, build: () => Promise<Buffer>): Promise<Buffer> {
  try {
    return await build();
  } catch (err) {
    log.error({ err: (err as Error).message }, `${what} could not be built`);
    throw new HttpError("unavailable", "The configuration could not be built; keep the last one and retry.", { "retry-after": "5" });
  }
}

export function traefikRoutes(deps: TraefikRouteDeps): Route[] {
  const cache = new TraefikConfigCache<Buffer>(5_000);
  const encode = (config: object) => Buffer.from(JSON.stringify(config), "utf8");
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
          cache.get(`worker:${who.worker.id}`, async () => encode(await buildWorkerTraefikConfig(deps.db, deps.cipher, who.worker.id))),
        );
        sendConfig(res, json);
      },
    },
    {
      method: "GET",
      path: "/v1/traefik/proxy-config",
      async handler(req, res) {
        await authorize(req, "the Traefik proxy token", "cheap", (t) => (t && safeEqual(t, deps.proxyToken) ? true : undefined));
        const json = await buildOr503(deps.log, "proxy traefik config", () =>
          cache.get("proxy", async () =>
            encode(await buildProxyTraefikConfig(deps.db, { platformDomain: deps.platformDomain, certResolver: deps.certResolver })),
          ),
        );
        sendConfig(res, json);
      },
    },
  ];
}
