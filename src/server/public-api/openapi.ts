import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from "zod-openapi";
import { TOKEN_SCOPES, scopeForProcedure } from "../api-tokens/scopes";
import { accessFor } from "../teams/procedure-access";
import type { ApiRoute } from "./api-route";
import { API_ROUTES } from "./routes";
import { errorSchema } from "./schemas";

const ERRORS = {
  "400": "BAD_REQUEST: the input is not valid (issues name each field)",
  "401": "UNAUTHORIZED: no token, or it is unknown, expired or revoked",
  "403": "FORBIDDEN: the token lacks the scope, or its owner's role does not allow it",
  "404": "NOT_FOUND: no such app or deployment in the token's team",
  "409": "CONFLICT: the request clashes with the current state",
  "429": "RATE_LIMITED: too many requests with this token; wait Retry-After seconds",
} as const;

function operation(route: ApiRoute): ZodOpenApiOperationObject {
  const scope = scopeForProcedure(route.procedures[0]);
  const access = accessFor(route.procedures[0]);
  const json = (schema: z.ZodType) => ({ "application/json": { schema } });
  const ok: Record<string, { schema: z.ZodType }> = json(route.response);
  if (route.sse) {
    ok["text/event-stream"] = {
      schema: z.string().meta({
        description: `With ?follow=1: server-sent events ${Object.keys(route.sse.events).map((e) => `\`${e}\``).join(", ")}, each with a JSON data line.`,
      }),
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `Scope: \`${scope === "any" ? "any" : scope}\`${scope === "any" ? "" : ` (${TOKEN_SCOPES[scope]})`}. Role permission: \`${access}\` (docs/teams.md). Calls ${route.procedures.join(", ")}.`,
    tags: [route.tag],
    security: [{ bearer: [] }],
    ...(route.params || route.query ? { requestParams: { ...(route.params ? { path: route.params } : {}), ...(route.query ? { query: route.query } : {}) } } : {}),
    ...(route.body ? { requestBody: { required: true, content: json(route.body) } } : {}),
    responses: {
      "200": { description: "OK", content: ok },
      ...Object.fromEntries(Object.entries(ERRORS).map(([status, description]) => [status, { description, content: json(errorSchema) }])),
    },
  };
}

/** The OpenAPI 3.1 document of /api/v1, generated from the routes' zod schemas. */
export function openApiDocument(publicUrl: string, routes: readonly ApiRoute[] = API_ROUTES) {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    (item as Record<string, ZodOpenApiOperationObject>)[route.method.toLowerCase()] = operation(route);
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "WiseHosting API",
      version: "1",
      description: "Bearer-token API for apps, deployments, logs, environment variables and domains. See docs/api.md.",
    },
    servers: [{ url: `${publicUrl.replace(/\/$/, "")}/api/v1` }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API token (wh_…) from Settings → API tokens" } } },
    paths,
  });
}
