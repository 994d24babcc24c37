import { z } from "zod";
import { accountDeps } from "../../auth/account-deps";
import { auditContext } from "../../auth/client-context";
import { requireSudo } from "../../auth/require-sudo";
import { recordAuditEvent } from "../../audit/record-audit-event";
import { notFound, validation } from "../../errors/domain-errors";
import { listSessions } from "../../sessions/list-sessions";
import { revokeOtherSessions, revokeSession } from "../../sessions/revoke-sessions";
import { protectedProcedure, router } from "../trpc";

export const sessionsRouter = router({
  /** The caller's live sessions, newest first, the current one marked. */
  list: protectedProcedure.query(({ ctx }) => listSessions(ctx.services.db, ctx.user.id, ctx.session.id)),

  /** Revokes one of the caller's sessions; another user's id is "not found". */
  revoke: protectedProcedure.input(z.object({ id: z.number().int().positive().max(2_147_483_647) })).mutation(async ({ ctx, input }) => {
    if (input.id === ctx.session.id) throw validation("This is the session you are using. Use Sign out instead.");
    const deps = accountDeps(ctx.services);
    if (!(await revokeSession(deps.db, ctx.user.id, input.id, deps.now()))) throw notFound("Session");
    await recordAuditEvent(deps.db, {
      userId: ctx.user.id,
      kind: "session_revoked",
      context: auditContext(ctx.request, ctx.session.id),
      targetType: "session",
      targetId: input.id,
      metadata: { via: "dashboard" },
    });
    return { revoked: true };
  }),

  /** Signs out every other session (sudo). */
  revokeOthers: protectedProcedure.mutation(async ({ ctx }) => {
    const deps = accountDeps(ctx.services);
    requireSudo(ctx.session, deps.now());
    const count = await revokeOtherSessions(deps.db, ctx.user.id, ctx.session.id, deps.now());
    await recordAuditEvent(deps.db, {
      userId: ctx.user.id,
      kind: "session_revoked",
      context: auditContext(ctx.request, ctx.session.id),
      metadata: { via: "dashboard", scope: "others", count },
    });
    return { revoked: count };
  }),
});
