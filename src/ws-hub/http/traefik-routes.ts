import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { safeEqual } from "../../server/crypto/api-key";
import type { SecretCipher } from "../../server/crypto/secret-cipher";
import type { Db } from "../../server/db/client";
import { buildProxyTraefikConfig } from "../../server/traefik/proxy-traefik-config";
import { TraefikConfigCache } from "../../server/traefik/traefik-config-cache";
import { buildWorkerTraefikConfig } from "../../server/traefik/worker-traefik-config";
import type { WorkerAuthenticator } from "../../server/workers/worker-auth";
import type { AuthFailureLimiter } from "./auth-failure-limiter";
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
  const refuseIfBlocked = (req: IncomingMessage) => {
    const retry = deps.limiter.retryAfter(req.socket.remoteAddress ?? "unknown");
    if (retry > 0) throw new HttpError("rate_limited", `Too many failed attempts. Retry in ${retry} s.`, { "retry-after": String(retry) });
  };
  const unauthorized = (req: IncomingMessage, what: string) => {
    deps.limiter.fail(req.socket.remoteAddress ?? "unknown", (req.url ?? "").split("?")[0]!);
    return new HttpError("unauthorized", `Send ${what} as "Authorization: Bearer <token>".`);
  };
  return [
    {
      method: "GET",
      path: "/v1/traefik/config",
      async handler(req, res) {
        refuseIfBlocked(req);
        let who;
        try {
          who = await deps.auth.authenticate(bearerToken(req));
        } catch (err) {
          deps.log.warn({ err: (err as Error).message }, "traefik config auth failed");
          throw new HttpError("unavailable", "Credentials cannot be checked right now; retry.", { "retry-after": "5" });
        }
        if (!who) throw unauthorized(req, "a worker JWT or the worker's API key");
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
        refuseIfBlocked(req);
        const token = bearerToken(req);
        if (!token || !safeEqual(token, deps.proxyToken)) throw unauthorized(req, "the Traefik proxy token");
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
