import { listAuditEvents, listAuditEventsInput } from "../../audit/list-audit-events";
import { protectedProcedure, router } from "../trpc";

export const auditRouter = router({
  /** The caller's own audit events, newest first. */
  list: protectedProcedure.input(listAuditEventsInput).query(({ ctx, input }) => listAuditEvents(ctx.services, ctx.actor, input)),
});
