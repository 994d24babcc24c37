import type { z } from "zod";
import type { TokenCaller } from "../api-tokens/token-caller";
import type { TokenScope } from "../api-tokens/scopes";
import type { Services } from "../runtime/services";
import type { ApiCaller } from "./api-caller";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";
export type { ApiCaller };

/** What a route's handler gets: the dashboard's own procedures, called as the token (trpc.ts checks each). */
export interface ApiContext {
  caller: ApiCaller;
  token: TokenCaller;
  services: Services;
  /** Ends when the client goes away (live streams stop with it). */
  signal: AbortSignal;
  /** The Last-Event-ID header of a reconnecting event-stream client, as sent (streams validate it). */
  lastEventId: string | null;
}

type Obj = z.ZodObject;

/**
 * One public API route (docs/api.md). Its input schemas are the routers' own where they fit; the
 * handler calls tRPC procedures through ctx.caller, so the business logic and every check is the
 * dashboard's. `procedures` names the procedures it calls (their rows decide who may: scopes.ts,
 * procedure-access.ts) and the role matrix test walks it.
 */
export interface ApiRoute<P extends Obj = Obj, Q extends Obj = Obj, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  /** OpenAPI style, under /api/v1: "/apps/{app}/deploy". */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** The procedure whose rows decide access, then any others it calls. */
  procedures: [string, ...string[]];
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** The route answers `?follow=1` with text/event-stream (sse.ts). */
  sse?: { events: Record<string, z.ZodType> };
  handle(ctx: ApiContext, input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B> }): Promise<z.infer<R> | Response>;
}

export function defineRoute<P extends Obj, Q extends Obj, B extends z.ZodType, R extends z.ZodType>(route: ApiRoute<P, Q, B, R>): ApiRoute {
  return route as unknown as ApiRoute;
}

/** The scope a route needs is its first procedure's (src/server/api-tokens/scopes.ts). */
export type RouteScope = TokenScope;
