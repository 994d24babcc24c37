import { z } from "zod";
import { createAppInput } from "../../apps/create-app";
import { getDeployment } from "../../apps/deployments/list-deployments";
import { getApp } from "../../apps/list-apps";
import { ApiError } from "../api-errors";
import { defineRoute } from "../api-route";
import { appParam, resolveAppId } from "../app-ref";
import { appSchema, appSummarySchema, deploymentSchema, iso, okSchema, toDeployment } from "../schemas";
import type { ApiCaller } from "../api-route";

type Listed = Awaited<ReturnType<ApiCaller["apps"]["list"]>>[number];
type Got = Awaited<ReturnType<typeof getApp>>;

function toSummary(a: Listed) {
  return appSummarySchema.parse({
    id: a.id,
    name: a.name,
    status: a.status,
    url: a.url,
    repoUrl: a.repoUrl,
    branch: a.branch,
    createdAt: iso(a.createdAt),
    currentDeployment: a.currentDeployment ? toDeployment(a.currentDeployment) : null,
  });
}

function toApp(a: Got) {
  return appSchema.parse({
    id: a.id,
    name: a.name,
    status: a.status,
    statusReason: a.statusReason,
    subdomain: a.subdomain,
    url: a.url,
    repoUrl: a.repoUrl,
    branch: a.branch,
    createdAt: iso(a.createdAt),
    currentDeployment: a.currentDeployment ? toDeployment(a.currentDeployment) : null,
    latestDeployment: a.latestDeployment
      ? toDeployment({ ...a.latestDeployment, job: a.activeJob && a.activeJob.deploymentId === a.latestDeployment.id ? a.activeJob : null })
      : null,
    domains: a.domains,
    envCount: a.envCount,
  });
}

const list = defineRoute({
  method: "GET",
  path: "/apps",
  operationId: "listApps",
  summary: "The team's apps, newest first",
  tag: "Apps",
  procedures: ["apps.list"],
  response: z.object({ apps: z.array(appSummarySchema) }),
  async handle({ caller }) {
    return { apps: (await caller.apps.list()).map(toSummary) };
  },
});

const create = defineRoute({
  method: "POST",
  path: "/apps",
  operationId: "createApp",
  summary: "Create an app (the dashboard's new-app form); deploy: true starts its first deployment",
  tag: "Apps",
  procedures: ["apps.create"],
  body: createAppInput,
  response: z.object({ app: appSchema }),
  async handle({ caller, services, token }, { body }) {
    const created = await caller.apps.create(body);
    // Read back with the apps service (team-scoped), as a token that may create may lack apps:read.
    return { app: toApp(await getApp(services, token.actor, { appId: created.app.id })) };
  },
});

const get = defineRoute({
  method: "GET",
  path: "/apps/{app}",
  operationId: "getApp",
  summary: "One app, with its current and latest deployment and domains",
  tag: "Apps",
  procedures: ["apps.get"],
  params: appParam,
  response: z.object({ app: appSchema }),
  async handle({ caller, services, token }, { params }) {
    return { app: toApp(await caller.apps.get({ appId: await resolveAppId(services, token.actor, params.app) })) };
  },
});

const remove = defineRoute({
  method: "DELETE",
  path: "/apps/{app}",
  operationId: "deleteApp",
  summary: "Delete an app (stops it and frees its name)",
  tag: "Apps",
  procedures: ["apps.delete"],
  params: appParam,
  response: okSchema,
  async handle({ caller, services, token }, { params }) {
    await caller.apps.delete({ appId: await resolveAppId(services, token.actor, params.app), hard: false });
    return { ok: true as const };
  },
});

const deploy = defineRoute({
  method: "POST",
  path: "/apps/{app}/deploy",
  operationId: "deployApp",
  summary: "Deploy the branch head; follow it with GET /deployments/{id} or its logs",
  tag: "Apps",
  procedures: ["apps.deploy"],
  params: appParam,
  response: z.object({ deployment: deploymentSchema }),
  async handle({ caller, services, token }, { params }) {
    const d = await caller.apps.deploy({ appId: await resolveAppId(services, token.actor, params.app) });
    return { deployment: toDeployment(await getDeployment(services, token.actor, { deploymentId: d.id })) };
  },
});

function lifecycle(action: "restart" | "stop" | "start", summary: string) {
  return defineRoute({
    method: "POST",
    path: `/apps/{app}/${action}`,
    operationId: `${action}App`,
    summary,
    tag: "Apps",
    procedures: [`apps.${action}`],
    params: appParam,
    response: z.object({ ok: z.literal(true), jobId: z.number().int().optional() }),
    async handle({ caller, services, token }, { params }) {
      const { jobId } = await caller.apps[action]({ appId: await resolveAppId(services, token.actor, params.app) });
      return { ok: true as const, jobId };
    },
  });
}

const rollbackBody = z
  .object({
    deployment: z.number().int().positive().optional().meta({ description: "The per-app number of a deployment that succeeded (#3 → 3)" }),
    deploymentId: z.number().int().positive().optional().meta({ description: "Or its id" }),
  })
  .refine((b) => (b.deployment === undefined) !== (b.deploymentId === undefined), { message: "Send either deployment (its per-app number) or deploymentId, not both and not neither." });

const rollback = defineRoute({
  method: "POST",
  path: "/apps/{app}/rollback",
  operationId: "rollbackApp",
  summary: "Deploy an earlier successful deployment's commit again",
  tag: "Apps",
  procedures: ["apps.rollback"],
  params: appParam,
  body: rollbackBody,
  response: z.object({ deployment: deploymentSchema }),
  async handle({ caller, services, token }, { params, body }) {
    const appId = await resolveAppId(services, token.actor, params.app);
    let deploymentId = body.deploymentId;
    if (body.deployment !== undefined) {
      const found = await services.db.deployment.findFirst({ where: { appId, number: body.deployment }, select: { id: true } });
      // The app is the token's team's (resolveAppId), so its deployment numbers are the caller's to read.
      if (!found) throw new ApiError("NOT_FOUND", `The app has no deployment #${body.deployment}. List them with GET /api/v1/apps/${params.app}/deployments.`);
      deploymentId = found.id;
    }
    const d = await caller.apps.rollback({ appId, deploymentId: deploymentId! });
    return { deployment: toDeployment(await getDeployment(services, token.actor, { deploymentId: d.id })) };
  },
});

export const appsRoutes = [
  list,
  create,
  get,
  remove,
  deploy,
  lifecycle("restart", "Restart the running app"),
  lifecycle("stop", "Stop the app"),
  lifecycle("start", "Start a stopped app"),
  rollback,
];
