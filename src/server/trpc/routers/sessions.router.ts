import { listSessions } from "../../sessions/list-sessions";
import { revokeOtherSessions, revokeSession, revokeSessionInput } from "../../sessions/revoke-sessions";
import { protectedProcedure, router } from "../trpc";

export const sessionsRouter = router({
  /** The caller's live sessions, newest first, the current one marked. */
  list: protectedProcedure.query(({ ctx }) => listSessions(ctx.services, ctx.actor)),
  /** Revokes one of the caller's sessions; another user's id is "not found". */
  revoke: protectedProcedure.input(revokeSessionInput).mutation(({ ctx, input }) => revokeSession(ctx.services, ctx.actor, input)),
  /** Signs out every other session (sudo). */
  revokeOthers: protectedProcedure.mutation(({ ctx }) => revokeOtherSessions(ctx.services, ctx.actor)),
});
