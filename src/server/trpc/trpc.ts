import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { actorFor } from "../auth/actor";
import type { TrpcContext } from "./context";
import { toTrpcError } from "./error-mapping";

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
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

export const publicProcedure = t.procedure.use(timing).use(mapErrors).use(withClient);

/**
 * The caller must be signed in. ctx.actor, built once here, is what services take as the caller
 * (`(deps, actor, input)`); ctx.user and ctx.session are non-null from here on.
 */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.session) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  }
  const caller = { user: ctx.user, session: ctx.session };
  return next({ ctx: { ...caller, actor: actorFor(caller, ctx.client) } });
});

/** Platform administrators only. */
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.actor.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Only platform administrators can do this." });
  return next();
});
