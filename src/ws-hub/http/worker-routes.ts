import type { IncomingMessage } from "node:http";
import { z } from "zod";
import type { Bus } from "../../server/bus/channels";
import { safeEqual } from "../../server/crypto/api-key";
import type { Db } from "../../server/db/client";
import { DomainError } from "../../server/errors/domain-errors";
import { registerWorker, registerWorkerSchema } from "../../server/workers/register-worker";
import type { WorkerAuthenticator } from "../../server/workers/worker-auth";
import type { WorkerJwtSigner } from "../../server/workers/worker-jwt";
import type { WorkerLookup } from "../../server/workers/worker-lookup";
import { getWorkerFleetStats } from "../../server/workers/fleet-stats";
import { checkUnderLimit, type AuthFailureLimiter } from "./auth-failure-limiter";
import type { Route } from "./http-server";
import { bearerToken, HttpError, readJsonBody, sendJson } from "./respond";

const REGISTER_BODY_LIMIT = 16 * 1024;

export interface WorkerRouteDeps {
  db: Db;
  bus: Bus;
  lookup: WorkerLookup;
  jwt: WorkerJwtSigner;
  auth: WorkerAuthenticator;
  limiter: AuthFailureLimiter;
  registrationToken: string;
}

function clientOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}

function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "body"}: ${i.message}`)
    .join("; ");
}

/** Checks the bearer under the failure limiter (src/ws-hub/http/auth-failure-limiter.ts). */
async function guard<T>(
  deps: WorkerRouteDeps,
  req: IncomingMessage,
  check: (token: string | undefined) => Promise<T | undefined> | T | undefined,
  what: string,
  cost: "cheap" | "lookup",
): Promise<T> {
  const token = bearerToken(req);
  const attempt = { client: clientOf(req), credential: token, endpoint: (req.url ?? "").split("?")[0]!, cost };
  const outcome = await checkUnderLimit(deps.limiter, attempt, () => check(token));
  if (outcome.kind === "ok") return outcome.value;
  if (outcome.kind === "blocked") {
    throw new HttpError("rate_limited", `Too many failed attempts. Retry in ${outcome.retryAfter} s.`, { "retry-after": String(outcome.retryAfter) });
  }
  throw new HttpError("unauthorized", `Send ${what} as "Authorization: Bearer <token>".`);
}

export function workerRoutes(deps: WorkerRouteDeps): Route[] {
  const registrationTokenOk = (t: string | undefined) => (t !== undefined && safeEqual(t, deps.registrationToken) ? true : undefined);
  return [
    {
      method: "POST",
      path: "/v1/workers/register",
      async handler(req, res) {
        await guard(deps, req, registrationTokenOk, "the worker registration token", "cheap");
        const parsed = registerWorkerSchema.safeParse(await readJsonBody(req, REGISTER_BODY_LIMIT));
        if (!parsed.success) throw new HttpError("bad_request", `Invalid registration: ${zodMessage(parsed.error)}.`);
        let worker;
        try {
          worker = await registerWorker(deps, parsed.data);
        } catch (err) {
          if (err instanceof DomainError && err.code === "CONFLICT") throw new HttpError("conflict", err.message);
          throw err;
        }
        const { apiKeyHash, ...publicWorker } = worker;
        const { token, expiresAt } = await deps.jwt.sign(worker.id, apiKeyHash);
        sendJson(res, 200, { worker: publicWorker, token, token_expires_at: expiresAt.toISOString() });
      },
    },
    {
      method: "POST",
      path: "/v1/workers/refresh-token",
      async handler(req, res) {
        const found = await guard(deps, req, (t) => deps.auth.authenticateApiKey(t), "the worker's raw API key", "lookup");
        const { token, expiresAt } = await deps.jwt.sign(found.worker.id, found.worker.apiKeyHash);
        sendJson(res, 200, { token, token_expires_at: expiresAt.toISOString() });
      },
    },
    {
      method: "GET",
      path: "/v1/stats",
      async handler(req, res) {
        await guard(deps, req, registrationTokenOk, "the worker registration token", "cheap");
        sendJson(res, 200, await getWorkerFleetStats(deps.db));
      },
    },
  ];
}
