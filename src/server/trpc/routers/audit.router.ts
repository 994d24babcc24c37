import { z } from "zod";
import { listAuditEvents } from "../../audit/list-audit-events";
import { protectedProcedure, router } from "../trpc";

const PAGE = 50;

export const auditRouter = router({
  /** The caller's own audit events, newest first; `cursor` is the last id of the previous page. */
  list: protectedProcedure
    .input(z.object({ cursor: z.string().regex(/^\d{1,19}$/).optional(), limit: z.number().int().min(1).max(200).default(PAGE) }).default({ limit: PAGE }))
    .query(({ ctx, input }) => listAuditEvents(ctx.services.db, ctx.user.id, input)),
});
