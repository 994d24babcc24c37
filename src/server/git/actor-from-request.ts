import type { Actor } from "../apps/actor";
import type { Services } from "../runtime/services";
import { createRequestContext } from "../trpc/create-context";
import { actorFromContext } from "../trpc/routers/actor-from-context";

/** The signed-in user of a plain GET route handler, resolved exactly as tRPC resolves it. */
export async function actorFromRequest(req: Request): Promise<{ services: Services; actor: Actor | null }> {
  const ctx = await createRequestContext(req, new Headers());
  const actor = ctx.user && ctx.session ? actorFromContext({ user: ctx.user, session: ctx.session, request: ctx.request }) : null;
  return { services: ctx.services, actor };
}
