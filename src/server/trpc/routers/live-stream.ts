import { tracked } from "@trpc/server";
import type { Actor } from "../../auth/actor";
import { DomainError } from "../../errors/domain-errors";
import { guardStream } from "../../apps/live/session-guard";
import type { LiveEvent } from "../../apps/live/live-streams";
import type { Services } from "../../runtime/services";
import { toTrpcError } from "../error-mapping";

const sessionEnded = () =>
  new DomainError("UNAUTHORIZED", "This live view stopped because the session it was opened with ended (signed out, revoked or replaced), or you are no longer a member of the team. Reload the page; sign in again if asked.", {
    sessionEnded: true,
  });

/**
 * Every subscription goes through here. The service's live events become tracked SSE events (the
 * id is what the client sends back as lastEventId on reconnect), and the stream is bound to the
 * caller's session and team membership (src/server/apps/live/session-guard.ts): when either ends the stream ends
 * with UNAUTHORIZED, which the client does not retry. Errors thrown while streaming (not found,
 * …) are mapped as procedure errors are; the middleware only sees the generator being created.
 */
export async function* liveStream<T extends object>(
  ctx: { services: Services; actor: Pick<Actor, "session" | "userId" | "team"> },
  clientSignal: AbortSignal | undefined,
  open: (signal: AbortSignal) => AsyncGenerator<LiveEvent<T>>,
) {
  const guard = await guardStream(ctx.services, ctx.actor.session, clientSignal, { userId: ctx.actor.userId, teamId: ctx.actor.team.id });
  try {
    if (!guard.ended()) for await (const e of open(guard.signal)) yield tracked(e.id, e.data);
    if (guard.ended()) throw sessionEnded();
  } catch (err) {
    throw toTrpcError(err);
  } finally {
    guard.release();
  }
}
