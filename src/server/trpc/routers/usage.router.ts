import { appIdInput } from "../../apps/app-access";
import { appLiveUsage, appUsage, appUsageInput } from "../../usage/usage-service";
import { protectedProcedure, router } from "../trpc";

export const usageRouter = router({
  series: protectedProcedure.input(appUsageInput).query(({ ctx, input }) => appUsage(ctx.services, ctx.actor, input)),
  live: protectedProcedure.input(appIdInput).query(({ ctx, input }) => appLiveUsage(ctx.services, ctx.actor, input)),
});
