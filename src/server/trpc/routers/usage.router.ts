import { z } from "zod";
import { appLiveUsage, appUsage } from "../../usage/usage-service";
import { USAGE_RANGES } from "../../usage/usage-series";
import { protectedProcedure, router } from "../trpc";

const ranges = Object.keys(USAGE_RANGES) as [keyof typeof USAGE_RANGES, ...(keyof typeof USAGE_RANGES)[]];

export const usageRouter = router({
  series: protectedProcedure
    .input(z.object({ appId: z.number().int().positive(), range: z.enum(ranges) }))
    .query(({ ctx, input }) => appUsage(ctx.services, ctx.user.id, input.appId, input.range)),
  live: protectedProcedure.input(z.object({ appId: z.number().int().positive() })).query(({ ctx, input }) => appLiveUsage(ctx.services, ctx.user.id, input.appId)),
});
