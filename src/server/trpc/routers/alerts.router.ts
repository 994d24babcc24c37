import { z } from "zod";
import { ruleUpdateSchema } from "../../alerts/alert-rules";
import { acknowledgeAlert, getAppRules, listAlerts, listAlertsSchema, resolveAlert, updateAppRule } from "../../alerts/alerts-service";
import { protectedProcedure, router } from "../trpc";

const alertId = z.object({ id: z.number().int().positive() });
const appId = z.object({ appId: z.number().int().positive() });

export const alertsRouter = router({
  /** Filtered inbox plus headline counters. */
  list: protectedProcedure.input(listAlertsSchema).query(({ ctx, input }) => listAlerts(ctx.services.db, ctx.user.id, input)),
  acknowledge: protectedProcedure.input(alertId).mutation(({ ctx, input }) => acknowledgeAlert(ctx.services.db, ctx.user.id, input.id)),
  resolve: protectedProcedure.input(alertId).mutation(({ ctx, input }) => resolveAlert(ctx.services.db, ctx.user.id, input.id)),
  rules: protectedProcedure.input(appId).query(({ ctx, input }) => getAppRules(ctx.services.db, ctx.user.id, input.appId)),
  updateRule: protectedProcedure
    .input(z.object({ appId: z.number().int().positive(), rule: ruleUpdateSchema }))
    .mutation(({ ctx, input }) => updateAppRule(ctx.services.db, ctx.user.id, input.appId, input.rule)),
});
