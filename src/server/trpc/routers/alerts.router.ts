import { appIdInput } from "../../apps/app-access";
import {
  acknowledgeAlert,
  alertIdInput,
  getAppRules,
  listAlerts,
  listAlertsSchema,
  resolveAlert,
  updateAppRule,
  updateRuleInput,
} from "../../alerts/alerts-service";
import { protectedProcedure, router } from "../trpc";

export const alertsRouter = router({
  /** Filtered inbox plus headline counters. */
  list: protectedProcedure.input(listAlertsSchema).query(({ ctx, input }) => listAlerts(ctx.services, ctx.actor, input)),
  acknowledge: protectedProcedure.input(alertIdInput).mutation(({ ctx, input }) => acknowledgeAlert(ctx.services, ctx.actor, input)),
  resolve: protectedProcedure.input(alertIdInput).mutation(({ ctx, input }) => resolveAlert(ctx.services, ctx.actor, input)),
  rules: protectedProcedure.input(appIdInput).query(({ ctx, input }) => getAppRules(ctx.services, ctx.actor, input)),
  updateRule: protectedProcedure.input(updateRuleInput).mutation(({ ctx, input }) => updateAppRule(ctx.services, ctx.actor, input)),
});
