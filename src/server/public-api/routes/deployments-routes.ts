import { z } from "zod";
import { defineRoute } from "../api-route";
import { appParam, resolveAppId } from "../app-ref";
import { followBuildLog, followRuntimeLogs } from "../follow-logs";
import { deploymentSchema, FINISHED_DEPLOYMENT, iso, logLineSchema, toDeployment } from "../schemas";
import { sseResponse } from "../sse";

const deploymentParam = z.object({ id: z.coerce.number().int().positive().meta({ description: "The deployment's id" }) });
const followQuery = z.object({
  follow: z.enum(["0", "1", "true", "false"]).optional().meta({ description: "1: answer with text/event-stream and keep sending" }),
});
const following = (q: { follow?: string }) => q.follow === "1" || q.follow === "true";

const list = defineRoute({
  method: "GET",
  path: "/apps/{app}/deployments",
  operationId: "listDeployments",
  summary: "The app's deployments, newest first (before: a deployment id, for older pages)",
  tag: "Deployments",
  procedures: ["deployments.list"],
  params: appParam,
  query: z.object({
    limit: z.coerce.number().int().min(1).max(100).optional(),
    before: z.coerce.number().int().positive().optional(),
  }),
  response: z.object({ deployments: z.array(deploymentSchema) }),
  async handle({ caller, services, token }, { params, query }) {
    const appId = await resolveAppId(services, token.actor, params.app);
    return { deployments: (await caller.deployments.list({ appId, limit: query.limit, before: query.before })).map(toDeployment) };
  },
});

const get = defineRoute({
  method: "GET",
  path: "/deployments/{id}",
  operationId: "getDeployment",
  summary: "One deployment, with its progress while it runs",
  tag: "Deployments",
  procedures: ["deployments.get"],
  params: deploymentParam,
  response: z.object({ deployment: deploymentSchema }),
  async handle({ caller }, { params }) {
    return { deployment: toDeployment(await caller.deployments.get({ deploymentId: params.id })) };
  },
});

const endEvent = z.object({ status: z.string(), error: z.string().nullable() });

const buildLogs = defineRoute({
  method: "GET",
  path: "/deployments/{id}/logs",
  operationId: "getBuildLogs",
  summary: "A deployment's build log; ?follow=1 streams it as SSE and ends with the deployment",
  tag: "Deployments",
  procedures: ["deployments.buildLogs", "deployments.onBuildLog"],
  params: deploymentParam,
  query: followQuery,
  response: z.object({ lines: z.array(logLineSchema), done: z.boolean(), status: z.string() }),
  sse: { events: { line: logLineSchema, end: endEvent } },
  async handle(ctx, { params, query }) {
    const { logs, status } = await ctx.caller.deployments.buildLogs({ deploymentId: params.id });
    if (following(query)) return sseResponse(ctx.signal, followBuildLog(ctx, params.id));
    const text = logs.endsWith("\n") ? logs.slice(0, -1) : logs;
    const lines = text === "" ? [] : text.split(/\r?\n/).map((line) => ({ at: null, stream: "build" as const, line }));
    return { lines, done: FINISHED_DEPLOYMENT.has(status), status };
  },
});

const runtimeLogs = defineRoute({
  method: "GET",
  path: "/apps/{app}/logs",
  operationId: "getRuntimeLogs",
  summary: "The app's recent runtime logs; ?follow=1 streams new lines as SSE",
  tag: "Logs",
  procedures: ["apps.runtimeLogs", "apps.onRuntimeLogs"],
  params: appParam,
  query: followQuery.extend({ limit: z.coerce.number().int().min(1).max(5000).optional() }),
  response: z.object({ lines: z.array(logLineSchema) }),
  sse: { events: { line: logLineSchema } },
  async handle(ctx, { params, query }) {
    const appId = await resolveAppId(ctx.services, ctx.token.actor, params.app);
    if (following(query)) {
      // Checks the scope and the app before the stream opens, so a refusal is an HTTP error.
      await ctx.caller.apps.runtimeLogs({ appId, filter: {}, limit: 1 });
      return sseResponse(ctx.signal, followRuntimeLogs(ctx, appId));
    }
    const rows = await ctx.caller.apps.runtimeLogs({ appId, filter: {}, limit: query.limit });
    return { lines: rows.map((r) => ({ at: iso(new Date(r.ts)), stream: r.stream, line: r.line })) };
  },
});

export const deploymentsRoutes = [list, get, buildLogs, runtimeLogs];
