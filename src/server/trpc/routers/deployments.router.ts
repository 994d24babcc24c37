import { appIdInput } from "../../apps/app-access";
import {
  deploymentIdInput,
  getBuildLogs,
  getDeployment,
  latestBuildLogs,
  listDeployments,
  listDeploymentsInput,
  listRecentUserDeployments,
  recentDeploymentsInput,
} from "../../apps/deployments/list-deployments";
import { buildLogStreamInput, streamBuildLog } from "../../apps/live/live-streams";
import { protectedProcedure, router } from "../trpc";
import { liveStream } from "./live-stream";

export const deploymentsRouter = router({
  list: protectedProcedure.input(listDeploymentsInput).query(({ ctx, input }) => listDeployments(ctx.services, ctx.actor, input)),
  recent: protectedProcedure.input(recentDeploymentsInput).query(({ ctx, input }) => listRecentUserDeployments(ctx.services, ctx.actor, input)),
  get: protectedProcedure.input(deploymentIdInput).query(({ ctx, input }) => getDeployment(ctx.services, ctx.actor, input)),
  buildLogs: protectedProcedure.input(deploymentIdInput).query(({ ctx, input }) => getBuildLogs(ctx.services, ctx.actor, input)),
  latestBuildLogs: protectedProcedure.input(appIdInput).query(({ ctx, input }) => latestBuildLogs(ctx.services, ctx.actor, input)),
  onBuildLog: protectedProcedure
    .input(buildLogStreamInput)
    .subscription(({ ctx, input, signal }) => liveStream(ctx, signal, (live) => streamBuildLog(ctx.services, ctx.actor, { ...input, signal: live }))),
});
