import type { Actor } from "../auth/actor";
import type { Services } from "../runtime/services";
import { teamWhere } from "../teams/team-scope";
import { userAppsWhere } from "./app-access";

/** The home page's headline numbers: apps by status, the plan's limit, open alerts. */
export async function homeOverview(deps: Pick<Services, "db" | "plans">, actor: Pick<Actor, "userId" | "team" | "plan">) {
  const plan = deps.plans.for(actor.plan);
  const [byStatus, activeAlerts] = await Promise.all([
    appsByStatus(deps, actor),
    deps.db.alert.count({ where: { app: teamWhere(actor), status: "active" } }),
  ]);
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return { byStatus, total, activeAlerts, plan: { id: plan.id, name: plan.name, maxApps: plan.maxApps } };
}

/** Count of the caller's apps per status. */
async function appsByStatus(deps: Pick<Services, "db">, actor: Pick<Actor, "userId" | "team">) {
  const rows = await deps.db.app.groupBy({ by: ["status"], where: userAppsWhere(actor), _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all])) as Record<string, number>;
}
