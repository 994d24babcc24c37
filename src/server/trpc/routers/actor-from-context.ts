import type { Actor } from "../../apps/actor";
import type { CallerSession, CallerUser, RequestInfo } from "../context";

/** The services' view of the signed-in caller, with the request facts audit events record. */
export function actorFromContext(ctx: { user: CallerUser; session: CallerSession; request: RequestInfo }): Actor {
  return {
    userId: ctx.user.id,
    email: ctx.user.email,
    plan: ctx.user.plan,
    audit: { ip: ctx.request.ip, userAgent: ctx.request.userAgent, sessionId: ctx.session.id },
  };
}
