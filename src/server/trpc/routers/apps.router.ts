import { appIdInput } from "../../apps/app-access";
import { restartApp, startApp, stopApp } from "../../apps/app-lifecycle";
import { getAutoDeploy, rotateWebhookSecret, setAutoDeploy, setAutoDeployInput } from "../../apps/auto-deploy";
import { createApp, createAppInput } from "../../apps/create-app";
import { deleteApp, deleteAppInput } from "../../apps/delete-app";
import { cancelDeployment, cancelDeploymentInput } from "../../apps/deployments/cancel-deployment";
import { deployApp, redeployApp, rollbackApp, rollbackAppInput } from "../../apps/deployments/deploy-app";
import { homeOverview } from "../../apps/home-overview";
import { getApp, listApps, listAppsInput } from "../../apps/list-apps";
import {
  appStatusStreamInput,
  deployProgressStreamInput,
  runtimeLogStreamInput,
  streamAppStatus,
  streamDeployProgress,
  streamRuntimeLogs,
} from "../../apps/live/live-streams";
import { checkAppName, checkAppNameInput, newAppDefaults } from "../../apps/new-app-form";
import { listLogRuns } from "../../apps/log-runs";
import { listRuntimeLogs, listRuntimeLogsInput } from "../../apps/runtime-logs";
import { updateAppSpec, updateAppSpecInput } from "../../apps/update-app-spec";
import { protectedProcedure, router } from "../trpc";
import { liveStream } from "./live-stream";

export const appsRouter = router({
  list: protectedProcedure.input(listAppsInput).query(({ ctx, input }) => listApps(ctx.services, ctx.actor, input)),
  get: protectedProcedure.input(appIdInput).query(({ ctx, input }) => getApp(ctx.services, ctx.actor, input)),
  overview: protectedProcedure.query(({ ctx }) => homeOverview(ctx.services, ctx.actor)),
  /** A fresh generated name and the plan's limits, for the new-app form. */
  newAppDefaults: protectedProcedure.query(({ ctx }) => newAppDefaults(ctx.services, ctx.actor)),
  checkName: protectedProcedure.input(checkAppNameInput).query(({ ctx, input }) => checkAppName(ctx.services, input)),
  create: protectedProcedure.input(createAppInput).mutation(({ ctx, input }) => createApp(ctx.services, ctx.actor, input)),
  deploy: protectedProcedure.input(appIdInput).mutation(({ ctx, input }) => deployApp(ctx.services, ctx.actor, input)),
  redeploy: protectedProcedure.input(appIdInput).mutation(({ ctx, input }) => redeployApp(ctx.services, ctx.actor, input)),
  rollback: protectedProcedure.input(rollbackAppInput).mutation(({ ctx, input }) => rollbackApp(ctx.services, ctx.actor, input)),
  cancelDeployment: protectedProcedure.input(cancelDeploymentInput).mutation(({ ctx, input }) => cancelDeployment(ctx.services, ctx.actor, input)),
  restart: protectedProcedure.input(appIdInput).mutation(({ ctx, input }) => restartApp(ctx.services, ctx.actor, input)),
  start: protectedProcedure.input(appIdInput).mutation(({ ctx, input }) => startApp(ctx.services, ctx.actor, input)),
  stop: protectedProcedure.input(appIdInput).mutation(({ ctx, input }) => stopApp(ctx.services, ctx.actor, input)),
  delete: protectedProcedure.input(deleteAppInput).mutation(({ ctx, input }) => deleteApp(ctx.services, ctx.actor, input)),
  updateSpec: protectedProcedure.input(updateAppSpecInput).mutation(({ ctx, input }) => updateAppSpec(ctx.services, ctx.actor, input)),
  autoDeploy: protectedProcedure.input(appIdInput).query(({ ctx, input }) => getAutoDeploy(ctx.services, ctx.actor, input)),
  setAutoDeploy: protectedProcedure.input(setAutoDeployInput).mutation(({ ctx, input }) => setAutoDeploy(ctx.services, ctx.actor, input)),
  rotateWebhookSecret: protectedProcedure.input(appIdInput).mutation(({ ctx, input }) => rotateWebhookSecret(ctx.services, ctx.actor, input)),
  runtimeLogs: protectedProcedure.input(listRuntimeLogsInput).query(({ ctx, input }) => listRuntimeLogs(ctx.services, ctx.actor, input)),
  /** The deploys and restarts runtime log lines are marked with (src/server/apps/log-runs.ts). */
  logRuns: protectedProcedure.input(appIdInput).query(({ ctx, input }) => listLogRuns(ctx.services, ctx.actor, input)),

  // Live streams end when the caller's session does (liveStream, live-stream.ts).
  onRuntimeLogs: protectedProcedure
    .input(runtimeLogStreamInput)
    .subscription(({ ctx, input, signal }) => liveStream(ctx, signal, (live) => streamRuntimeLogs(ctx.services, ctx.actor, { ...input, signal: live }))),
  onDeployProgress: protectedProcedure
    .input(deployProgressStreamInput)
    .subscription(({ ctx, input, signal }) => liveStream(ctx, signal, (live) => streamDeployProgress(ctx.services, ctx.actor, { ...input, signal: live }))),
  onStatus: protectedProcedure
    .input(appStatusStreamInput)
    .subscription(({ ctx, input, signal }) => liveStream(ctx, signal, (live) => streamAppStatus(ctx.services, ctx.actor, { ...input, signal: live }))),
});
