import { z } from "zod";
import { getBuildLogs, getDeployment, latestBuildLogs, listDeployments, listRecentUserDeployments } from "../../apps/deployments/list-deployments";
import { streamBuildLog } from "../../apps/live/live-streams";
import { protectedProcedure, router } from "../trpc";
import { actorFromContext } from "./actor-from-context";
import { trackedStream } from "./tracked-stream";

const deploymentId = z.object({ deploymentId: z.number().int().positive() });

export const deploymentsRouter = router({
  list: protectedProcedure
    .input(z.object({ appId: z.number().int().positive(), limit: z.number().int().min(1).max(100).optional(), before: z.number().int().positive().optional() }))
    .query(({ ctx, input }) => listDeployments(ctx.services, actorFromContext(ctx), input.appId, input)),
  recent: protectedProcedure
    .input(z.object({ limit: z.number().int().min(1).max(50).default(10) }).optional())
    .query(({ ctx, input }) => listRecentUserDeployments(ctx.services, actorFromContext(ctx), input?.limit ?? 10)),
  get: protectedProcedure.input(deploymentId).query(({ ctx, input }) => getDeployment(ctx.services, actorFromContext(ctx), input.deploymentId)),
  buildLogs: protectedProcedure.input(deploymentId).query(({ ctx, input }) => getBuildLogs(ctx.services, actorFromContext(ctx), input.deploymentId)),
  latestBuildLogs: protectedProcedure
    .input(z.object({ appId: z.number().int().positive() }))
    .query(({ ctx, input }) => latestBuildLogs(ctx.services, actorFromContext(ctx), input.appId)),
  onBuildLog: protectedProcedure
    .input(deploymentId.extend({ lastEventId: z.string().nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      yield* trackedStream(streamBuildLog(ctx.services, actorFromContext(ctx), input.deploymentId, input.lastEventId, signal));
    }),
});
