import { z } from "zod";
import type { Services } from "../../runtime/services";
import type { Actor } from "../../auth/actor";
import { appIdInput, ownedDeploymentWhere, requireOwnedApp, userAppsWhere, type AppRef } from "../app-access";
import { notFound } from "../../errors/domain-errors";

type Deps = Pick<Services, "db">;
type Caller = Pick<Actor, "userId" | "team">;

export const deploymentIdInput = z.object({ deploymentId: z.number().int().positive() });
export const listDeploymentsInput = appIdInput.extend({ limit: z.number().int().min(1).max(100).optional(), before: z.number().int().positive().optional() });
export const recentDeploymentsInput = z.object({ limit: z.number().int().min(1).max(50).default(10) }).default({ limit: 10 });

const historySelect = {
  id: true,
  /** What users see ("Deployment #1"); ids stay internal. */
  number: true,
  appId: true,
  status: true,
  trigger: true,
  triggeredBy: true,
  commitSha: true,
  commitMessage: true,
  branch: true,
  rollbackOfId: true,
  rollbackOf: { select: { number: true } },
  error: true,
  startedAt: true,
  finishedAt: true,
  createdAt: true,
} as const;

function withDuration<T extends { startedAt: Date | null; finishedAt: Date | null }>(d: T) {
  return { ...d, durationMs: d.startedAt && d.finishedAt ? d.finishedAt.getTime() - d.startedAt.getTime() : null };
}

/** An app's deployments, newest first, with a cursor (`before`) for older pages. */
export async function listDeployments(deps: Deps, actor: Caller, opts: z.infer<typeof listDeploymentsInput>) {
  const { appId } = opts;
  const app = await requireOwnedApp(deps.db, actor, appId);
  const limit = Math.min(Math.max(opts.limit ?? 30, 1), 100);
  const rows = await deps.db.deployment.findMany({
    where: { appId, ...(opts.before ? { id: { lt: opts.before } } : {}) },
    orderBy: { id: "desc" },
    take: limit,
    select: historySelect,
  });
  return rows.map((d) => ({ ...withDuration(d), isCurrent: d.id === app.currentDeploymentId }));
}

export async function getDeployment(deps: Deps, actor: Caller, { deploymentId }: z.infer<typeof deploymentIdInput>) {
  const d = await deps.db.deployment.findFirst({
    where: ownedDeploymentWhere(actor, deploymentId),
    select: { ...historySelect, jobs: { orderBy: { id: "desc" }, take: 1, select: { id: true, number: true, status: true, progress: true, message: true, pendingReason: true } } },
  });
  if (!d) throw notFound("Deployment");
  const { jobs, ...rest } = d;
  return { ...withDuration(rest), job: jobs[0] ?? null };
}

/** The build log of one deployment (the worker streams it in; see deployments.onBuildLog). */
export async function getBuildLogs(deps: Deps, actor: Caller, { deploymentId }: z.infer<typeof deploymentIdInput>) {
  const d = await deps.db.deployment.findFirst({
    where: ownedDeploymentWhere(actor, deploymentId),
    select: { id: true, appId: true, status: true, buildLogs: true },
  });
  if (!d) throw notFound("Deployment");
  return { deploymentId: d.id, status: d.status, logs: d.buildLogs };
}

/** The build log of the app's newest deployment, or null before the first deploy. */
export async function latestBuildLogs(deps: Deps, actor: Caller, { appId }: AppRef) {
  await requireOwnedApp(deps.db, actor, appId);
  const d = await deps.db.deployment.findFirst({ where: { appId }, orderBy: { id: "desc" }, select: { id: true, status: true, buildLogs: true } });
  return d ? { deploymentId: d.id, status: d.status, logs: d.buildLogs } : null;
}

/** The caller's newest deployments across their apps that are not deleted. */
export async function listRecentUserDeployments(deps: Deps, actor: Caller, { limit }: z.infer<typeof recentDeploymentsInput>) {
  const rows = await deps.db.deployment.findMany({
    where: { app: userAppsWhere(actor) },
    orderBy: { id: "desc" },
    take: Math.min(Math.max(limit, 1), 50),
    select: { ...historySelect, app: { select: { name: true } } },
  });
  return rows.map((d) => ({ ...withDuration(d), appName: d.app.name }));
}
