import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { transformer } from "../../lib/trpc/transformer";
import { authorizeToken } from "../api-tokens/authorize-token";
import { resolveActor } from "../auth/actor";
import { DomainError } from "../errors/domain-errors";
import { authorizeProcedure } from "../teams/authorize";
import { accessFor } from "../teams/procedure-access";
import type { TrpcContext } from "./context";
import { toTrpcError } from "./error-mapping";

const t = initTRPC.context<TrpcContext>().create({
  transformer,
  errorFormatter({ shape, error }) {
    const domain = error.cause && "details" in error.cause ? (error.cause as { details?: unknown }).details : undefined;
    return {
      ...shape,
      data: {
        ...shape.data,
        zodError: error.cause instanceof ZodError ? error.cause.flatten() : null,
        details: domain ?? null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Maps domain errors thrown by services to tRPC codes, for every procedure. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const mapped = toTrpcError(result.error.cause ?? result.error);
    if (mapped instanceof TRPCError) throw mapped;
  }
  return result;
});

/** Logs slow procedures. */
const timing = t.middleware(async ({ ctx, path, type, next }) => {
  const started = performance.now();
  const result = await next();
  const ms = performance.now() - started;
  if (ms > 1_000) ctx.services.log.warn({ path, type, ms: Math.round(ms) }, "slow tRPC procedure");
  return result;
});

/** Every procedure sees the request's client (address, user agent) in the shape services take. */
const withClient = t.middleware(({ ctx, next }) => next({ ctx: { client: { ip: ctx.request.ip, userAgent: ctx.request.userAgent } } }));

/** A procedure without a row in src/server/teams/procedure-access.ts is refused, public or not. */
const listed = t.middleware(({ path, next }) => {
  if (accessFor(path) === undefined) throw toTrpcError(new DomainError("FORBIDDEN", `The procedure ${path} has no row in src/server/teams/procedure-access.ts, so nobody may call it yet.`));
  return next();
});

export const publicProcedure = t.procedure.use(timing).use(mapErrors).use(withClient).use(listed);

/**
 * The caller must be signed in. ctx.actor, built once here with the caller's current team and role,
 * is what services take as the caller (`(deps, actor, input)`); ctx.user and ctx.session are
 * non-null from here on. The procedure's row in src/server/teams/procedure-access.ts is checked
 * against the actor's role here — the one place roles are enforced (docs/teams.md).
 */
export const protectedProcedure = publicProcedure.use(async ({ ctx, path, next }) => {
  if (ctx.token) {
    // An API token (src/server/api-tokens): its scopes and its owner's current role, both checked here.
    authorizeToken(ctx.token, path);
    return next({ ctx: { user: ctx.token.user, session: ctx.token.session, actor: ctx.token.actor } });
  }
  if (!ctx.user || !ctx.session) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  }
  const caller = { user: ctx.user, session: ctx.session };
  const actor = await resolveActor(ctx.services.db, caller, ctx.client);
  authorizeProcedure(actor, path);
  return next({ ctx: { ...caller, actor } });
});

/** Platform administrators only. */
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.actor.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Only platform administrators can do this." });
  return next();
});
