import { listAuditEvents, listAuditEventsInput } from "../../audit/list-audit-events";
import { listTeamAuditEvents, listTeamAuditInput } from "../../audit/list-team-audit";
import { protectedProcedure, router } from "../trpc";

export const auditRouter = router({
  /** The caller's own audit events, newest first. */
  list: protectedProcedure.input(listAuditEventsInput).query(({ ctx, input }) => listAuditEvents(ctx.services, ctx.actor, input)),
  /** The current team's audit log, with members' names. */
  team: protectedProcedure.input(listTeamAuditInput).query(({ ctx, input }) => listTeamAuditEvents(ctx.services, ctx.actor, input)),
});
