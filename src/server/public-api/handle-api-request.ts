import { z } from "zod";
import { authorizeToken } from "../api-tokens/authorize-token";
import { authenticateToken, missingToken, type TokenCaller } from "../api-tokens/token-caller";
import { bearerToken, hashToken } from "../api-tokens/token-secret";
import { recordAuditEvent } from "../audit/record-audit-event";
import { requestClient } from "../http/request-client";
import { enforceLimits } from "../rate-limit/enforce-limits";
import type { RateLimitRule } from "../rate-limit/rate-limiter";
import type { Services } from "../runtime/services";
import { createApiCaller } from "./api-caller";
import { ApiError, errorResponse, toApiError } from "./api-errors";
import type { ApiRoute } from "./api-route";
import { matchRoute } from "./match-route";
import { openApiDocument } from "./openapi";
import { API_ROUTES } from "./routes";


/** Requests per token per minute (docs/api.md). */
export const API_RATE_LIMIT: RateLimitRule = { limit: 300, windowSeconds: 60 };
const MAX_BODY_BYTES = 1024 * 1024;

/** The rate-limit counter of one token: keyed by a hash prefix, never by the secret itself. */
export const tokenRateLimitKey = (secret: string) => `api:token:${hashToken(secret).slice(0, 32)}`;

export interface ApiHandlerOptions {
  services: Services;
  rateLimit?: RateLimitRule;
  routes?: readonly ApiRoute[];
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store" } });

async function readBody(req: Request, schema: z.ZodType): Promise<unknown> {
  const text = await req.text();
  if (text.length > MAX_BODY_BYTES) throw new ApiError("BAD_REQUEST", "The request body is over 1 MB.");
  if (text.trim() === "") return schema.parse(undefined);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError("BAD_REQUEST", "The request body is not valid JSON. Send a JSON object with Content-Type: application/json.");
  }
  return schema.parse(parsed);
}

/**
 * Every /api/v1 request (src/app/api/v1/[...path]/route.ts): the token is rate limited, resolved
 * with its owner's current role, the input parsed with the route's zod schemas, and the route's
 * handler calls the dashboard's procedures as the token. Each use is audited (api_token_use).
 */
export async function handleApiRequest(req: Request, opts: ApiHandlerOptions): Promise<Response> {
  const { services } = opts;
  const routes = opts.routes ?? API_ROUTES;
  const url = new URL(req.url);
  const path = url.pathname.replace(/^\/api\/v1/, "") || "/";
  if (req.method === "GET" && path === "/openapi.json") return json(openApiDocument(services.config.PUBLIC_URL, routes));

  let token: TokenCaller | null = null;
  let route: ApiRoute | null = null;
  let status = 500;
  try {
    const matched = matchRoute(routes, req.method, path);
    if (!matched) throw new ApiError("NOT_FOUND", `There is no API route ${req.method} /api/v1${path}. The routes are listed in /api/v1/openapi.json.`);
    if (!("route" in matched)) throw new ApiError("BAD_REQUEST", `/api/v1${path} does not take ${req.method}; it takes ${matched.allowed.join(", ")}.`);
    route = matched.route;
    const secret = bearerToken(req.headers.get("authorization"));
    if (!secret) throw missingToken();
    const client = requestClient(req.headers, services.config);
    await enforceLimits(services.limiter, [{ key: tokenRateLimitKey(secret), rule: opts.rateLimit ?? API_RATE_LIMIT }]);
    token = await authenticateToken(services, secret, client);
    // Scope and role first, so a refused caller learns nothing from input errors; trpc.ts checks
    // every procedure the handler calls again.
    authorizeToken(token, route.procedures[0]);

    const params = (route.params ?? z.object({})).parse(matched.params);
    const query = (route.query ?? z.object({})).parse(Object.fromEntries(url.searchParams));
    const body = route.body ? await readBody(req, route.body) : undefined;
    const caller = createApiCaller({
      services,
      user: token.user,
      session: token.session,
      token,
      request: { ip: client.ip, userAgent: client.userAgent, origin: null, headers: req.headers },
      responseHeaders: new Headers(),
    });
    const result = await route.handle({ caller, token, services, signal: req.signal, lastEventId: req.headers.get("last-event-id") }, { params, query, body });
    if (result instanceof Response) {
      status = result.status;
      return result;
    }
    status = 200;
    return json(route.response.parse(result));
  } catch (err) {
    const apiErr = toApiError(err);
    if (apiErr.code === "INTERNAL") services.log.error({ err, path, method: req.method }, "public API request failed");
    status = apiErr.status;
    return errorResponse(apiErr);
  } finally {
    if (token && route) await auditUse(services, token, route, status).catch((err: Error) => services.log.warn({ err: err.message }, "could not audit an API token use"));
  }
}

async function auditUse(services: Services, token: TokenCaller, route: ApiRoute, status: number) {
  await recordAuditEvent(services.db, {
    userId: token.user.id,
    kind: "api_token_use",
    context: token.actor.audit,
    targetType: "api_token",
    targetId: token.tokenId,
    metadata: { name: token.tokenName, method: route.method, route: `/api/v1${route.path}`, operation: route.operationId, status },
  });
}
