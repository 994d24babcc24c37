import { z } from "zod";
import type { Actor } from "../auth/actor";
import type { Services } from "../runtime/services";
import { requireOwnedApp, userAppsWhere, type AppRef } from "./app-access";
import { liveStatsFor } from "./live/live-stats";
import { appRuntimeView } from "./app-runtime-view";
import { pushWebhookUrl } from "./auto-deploy";
import { listenPort } from "./listen-port";
import { planSummary } from "../plans/plan-summary";

type Deps = Pick<Services, "db" | "config" | "bus" | "log">;

const APP_STATUSES = ["pending", "deploying", "running", "stopped", "crashed", "failed", "violated"] as const;
export const listAppsInput = z.object({ search: z.string().max(100).optional(), status: z.enum(APP_STATUSES).optional() }).optional();

const deploymentSummary = {
  select: { id: true, number: true, status: true, commitSha: true, commitMessage: true, branch: true, trigger: true, createdAt: true, finishedAt: true },
} as const;

/**
 * The address the app answers at: under `npm start` the development ingress's
 * (http://<slug>.localhost:<port>, src/dev-ingress/), which stays the same across deploys,
 * redeploys and rollbacks; otherwise `<slug>.<PLATFORM_DOMAIN>` behind Traefik.
 */
function appUrl(deps: Pick<Services, "config">, subdomain: string): string {
  const ingress = deps.config.isProduction ? undefined : deps.config.DEV_INGRESS_URL;
  if (ingress) {
    const url = new URL(ingress);
    return `${url.protocol}//${subdomain}.localhost${url.port ? `:${url.port}` : ""}`;
  }
  const domain = deps.config.PLATFORM_DOMAIN;
  const scheme = deps.config.isProduction ? "https" : "http";
  return `${scheme}://${subdomain}.${domain}`;
}

/**
 * Where the app answers on its worker, bypassing Traefik: what a developer opens on a single
 * machine (`npm start`), where no proxy serves `<slug>.<PLATFORM_DOMAIN>`.
 */
function directUrl(worker: { ip: string; wireguardIp: string | null } | null, port: number | null): string | null {
  const host = worker?.wireguardIp || worker?.ip;
  if (!host || !port) return null;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** The dashboard's app list: status, current deployment, live usage when a hub has reported it, domains. */
export async function listApps(deps: Deps, actor: Pick<Actor, "userId" | "team">, filter: z.infer<typeof listAppsInput> = {}) {
  const search = filter.search?.trim();
  const apps = await deps.db.app.findMany({
    where: {
      ...userAppsWhere(actor),
      ...(search ? { OR: [{ name: { contains: search.toLowerCase() } }, { repoUrl: { contains: search, mode: "insensitive" as const } }] } : {}),
      ...(filter.status ? { status: filter.status } : {}),
    },
    orderBy: { createdAt: "desc" },
    // Only what the list shows: the full app rows (build settings, runtime columns) cost more to
    // read and decode than the query itself (bench/web.bench.ts).
    select: {
      id: true,
      uuid: true,
      name: true,
      subdomain: true,
      status: true,
      statusReason: true,
      repoUrl: true,
      branch: true,
      autoDeploy: true,
      createdAt: true,
      currentDeployment: deploymentSummary,
      domains: { select: { hostname: true, status: true }, orderBy: { hostname: "asc" } },
    },
  });
  const stats = await liveStatsFor(deps, apps.map((a) => a.id));
  // Dates go out as ISO strings: superjson (src/server/trpc/trpc.ts) records the path of every
  // Date it meets, and for 1,000 apps' three dates that cost three times the rest of the encoding
  // (bench/web.bench.ts, docs/performance.md note 6).
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return apps.map((app) => ({
    id: app.id,
    uuid: app.uuid,
    name: app.name,
    status: app.status,
    statusReason: app.statusReason,
    repoUrl: app.repoUrl,
    branch: app.branch,
    autoDeploy: app.autoDeploy,
    url: appUrl(deps, app.subdomain),
    createdAt: app.createdAt.toISOString(),
    currentDeployment: app.currentDeployment
      ? { ...app.currentDeployment, createdAt: app.currentDeployment.createdAt.toISOString(), finishedAt: iso(app.currentDeployment.finishedAt) }
      : null,
    domains: app.domains,
    live: stats.get(app.id) ?? null,
  }));
}

export async function getApp(deps: Deps & Pick<Services, "plans">, actor: Pick<Actor, "userId" | "team" | "plan">, { appId }: AppRef) {
  const app = await requireOwnedApp(deps.db, actor, appId);
  const [currentDeployment, latestDeployment, domains, envCount, activeJob, worker] = await Promise.all([
    app.currentDeploymentId ? deps.db.deployment.findUnique({ where: { id: app.currentDeploymentId }, ...deploymentSummary }) : null,
    deps.db.deployment.findFirst({ where: { appId }, orderBy: { id: "desc" }, ...deploymentSummary }),
    deps.db.domain.findMany({ where: { appId }, select: { id: true, hostname: true, status: true }, orderBy: { hostname: "asc" } }),
    deps.db.appEnvVar.count({ where: { appId } }),
    deps.db.job.findFirst({
      where: { appId, status: { in: ["pending", "assigned", "processing"] } },
      orderBy: { id: "desc" },
      select: { id: true, number: true, type: true, status: true, progress: true, message: true, pendingReason: true, deploymentId: true },
    }),
    app.workerId ? deps.db.worker.findUnique({ where: { id: app.workerId }, select: { ip: true, wireguardIp: true } }) : null,
  ]);
  const [stats, runtime] = await Promise.all([liveStatsFor(deps, [app.id]), appRuntimeView(deps.db, app)]);
  const plan = deps.plans.for(actor.plan);
  return {
    id: app.id,
    uuid: app.uuid,
    name: app.name,
    subdomain: app.subdomain,
    status: app.status,
    statusReason: app.statusReason,
    repoUrl: app.repoUrl,
    branch: app.branch,
    buildSettings: app.buildSettings as Record<string, unknown>,
    internalPort: app.internalPort,
    listen: listenPort(app),
    autoDeploy: app.autoDeploy,
    webhookUrl: app.webhookId ? pushWebhookUrl(deps.config.PUBLIC_URL, app.webhookId) : null,
    url: appUrl(deps, app.subdomain),
    directUrl: directUrl(worker, app.port),
    workerPort: app.port,
    workerId: app.workerId,
    createdAt: app.createdAt,
    plan: planSummary(plan),
    currentDeployment,
    latestDeployment,
    domains,
    envCount,
    activeJob,
    live: stats.get(app.id) ?? null,
    runtime,
  };
}
