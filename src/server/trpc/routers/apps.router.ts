import { z } from "zod";
import { appSpecPatchInput } from "../../apps/app-spec";
import { createApp, createAppInput } from "../../apps/create-app";
import { hardDeleteApp, softDeleteApp } from "../../apps/delete-app";
import { getAutoDeploy, rotateWebhookSecret, setAutoDeploy } from "../../apps/auto-deploy";
import { restartApp, startApp, stopApp } from "../../apps/app-lifecycle";
import { deployApp, redeployApp, rollbackApp } from "../../apps/deployments/deploy-app";
import { getApp, listApps } from "../../apps/list-apps";
import { homeOverview } from "../../apps/home-overview";
import { streamAppStatus, streamDeployProgress, streamRuntimeLogs } from "../../apps/live/live-streams";
import { listRuntimeLogs, runtimeLogFilterInput } from "../../apps/runtime-logs";
import { updateAppSpec } from "../../apps/update-app-spec";
import { generateAppName, appNameProblem } from "../../apps/naming";
import { protectedProcedure, router } from "../trpc";
import { actorFromContext } from "./actor-from-context";
import { trackedStream } from "./tracked-stream";

const appId = z.object({ appId: z.number().int().positive() });
const APP_STATUSES = ["pending", "deploying", "running", "stopped", "crashed", "failed", "violated"] as const;

export const appsRouter = router({
  list: protectedProcedure
    .input(z.object({ search: z.string().max(100).optional(), status: z.enum(APP_STATUSES).optional() }).optional())
    .query(({ ctx, input }) => listApps(ctx.services, actorFromContext(ctx), input ?? {})),
  get: protectedProcedure.input(appId).query(({ ctx, input }) => getApp(ctx.services, actorFromContext(ctx), input.appId)),
  overview: protectedProcedure.query(({ ctx }) => homeOverview(ctx.services, actorFromContext(ctx))),
  /** A fresh generated name and the plan's limits, for the new-app form. */
  newAppDefaults: protectedProcedure.query(async ({ ctx }) => {
    const plan = ctx.services.plans.for(ctx.user.plan);
    const count = await ctx.services.db.app.count({ where: { userId: ctx.user.id, deletedAt: null } });
    return {
      suggestedName: generateAppName(),
      plan: { id: plan.id, name: plan.name, maxApps: plan.maxApps, cpu: plan.cpu, memoryMb: plan.memoryMb },
      appCount: count,
      localReposEnabled: ctx.services.config.LOCAL_REPOS_ENABLED,
      /** The launcher's local sample repository (development), offered as a one-click source. */
      sampleRepoUrl: ctx.services.config.LOCAL_REPOS_ENABLED ? (ctx.services.config.SAMPLE_REPO_URL ?? null) : null,
    };
  }),
  checkName: protectedProcedure.input(z.object({ name: z.string().max(64) })).query(async ({ ctx, input }) => {
    const problem = appNameProblem(input.name);
    if (problem) return { ok: false, message: problem };
    const taken = await ctx.services.db.app.findFirst({ where: { OR: [{ name: input.name }, { subdomain: input.name }] }, select: { id: true } });
    return taken ? { ok: false, message: `The name "${input.name}" is already taken.` } : { ok: true, message: null };
  }),
  create: protectedProcedure.input(createAppInput).mutation(({ ctx, input }) => createApp(ctx.services, actorFromContext(ctx), input)),
  deploy: protectedProcedure.input(appId).mutation(({ ctx, input }) => deployApp(ctx.services, actorFromContext(ctx), input.appId)),
  redeploy: protectedProcedure.input(appId).mutation(({ ctx, input }) => redeployApp(ctx.services, actorFromContext(ctx), input.appId)),
  rollback: protectedProcedure
    .input(appId.extend({ deploymentId: z.number().int().positive() }))
    .mutation(({ ctx, input }) => rollbackApp(ctx.services, actorFromContext(ctx), input.appId, input.deploymentId)),
  restart: protectedProcedure.input(appId).mutation(({ ctx, input }) => restartApp(ctx.services, actorFromContext(ctx), input.appId)),
  start: protectedProcedure.input(appId).mutation(({ ctx, input }) => startApp(ctx.services, actorFromContext(ctx), input.appId)),
  stop: protectedProcedure.input(appId).mutation(({ ctx, input }) => stopApp(ctx.services, actorFromContext(ctx), input.appId)),
  delete: protectedProcedure
    .input(appId.extend({ hard: z.boolean().default(false) }))
    .mutation(({ ctx, input }) =>
      input.hard ? hardDeleteApp(ctx.services, actorFromContext(ctx), input.appId) : softDeleteApp(ctx.services, actorFromContext(ctx), input.appId),
    ),
  updateSpec: protectedProcedure
    .input(appId.extend({ spec: appSpecPatchInput }))
    .mutation(({ ctx, input }) => updateAppSpec(ctx.services, actorFromContext(ctx), input.appId, input.spec)),
  autoDeploy: protectedProcedure.input(appId).query(({ ctx, input }) => getAutoDeploy(ctx.services, actorFromContext(ctx), input.appId)),
  setAutoDeploy: protectedProcedure
    .input(appId.extend({ enabled: z.boolean() }))
    .mutation(({ ctx, input }) => setAutoDeploy(ctx.services, actorFromContext(ctx), input.appId, input.enabled)),
  rotateWebhookSecret: protectedProcedure
    .input(appId)
    .mutation(({ ctx, input }) => rotateWebhookSecret(ctx.services, actorFromContext(ctx), input.appId)),
  runtimeLogs: protectedProcedure
    .input(appId.extend({ filter: runtimeLogFilterInput.default({}), limit: z.number().int().min(1).max(5000).optional(), beforeId: z.string().max(20).optional() }))
    .query(({ ctx, input }) => listRuntimeLogs(ctx.services, actorFromContext(ctx), input.appId, input.filter, input)),

  onRuntimeLogs: protectedProcedure
    .input(appId.extend({ filter: runtimeLogFilterInput.default({}), lastEventId: z.string().nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      yield* trackedStream(streamRuntimeLogs(ctx.services, actorFromContext(ctx), input.appId, input.filter, input.lastEventId, signal));
    }),
  onDeployProgress: protectedProcedure
    .input(appId.extend({ lastEventId: z.string().nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      yield* trackedStream(streamDeployProgress(ctx.services, actorFromContext(ctx), input.appId, input.lastEventId, signal));
    }),
  onStatus: protectedProcedure
    .input(z.object({ appId: z.number().int().positive().optional(), lastEventId: z.string().nullish() }).optional())
    .subscription(async function* ({ ctx, input, signal }) {
      yield* trackedStream(streamAppStatus(ctx.services, actorFromContext(ctx), input?.appId, signal));
    }),
});
