import { z } from "zod";
import { appIdInput, requireOwnedApp, type AppRef } from "../apps/app-access";
import type { Actor } from "../auth/actor";
import { notFound } from "../errors/domain-errors";
import { teamWhere } from "../teams/team-scope";
import type { Services } from "../runtime/services";
import { ALERT_METRICS, METRIC_SPECS, SUSTAIN_RANGE, ruleUpdateSchema } from "./alert-rule-schema";
import { ensureAppAlertRules } from "./alert-rules";

export const listAlertsSchema = z.object({
  /** "open" = active or acknowledged. */
  status: z.enum(["open", "active", "acknowledged", "resolved", "all"]).default("open"),
  kind: z.string().max(40).optional(),
  appId: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type ListAlertsInput = z.input<typeof listAlertsSchema>;
export const alertIdInput = z.object({ id: z.number().int().positive() });
export const updateRuleInput = appIdInput.extend({ rule: ruleUpdateSchema });

type Deps = Pick<Services, "db">;
type Caller = Pick<Actor, "userId" | "team">;

/** Alerts the caller sees: those of the current team's apps (teamWhere), and their own app-less ones. */
function alertsWhere(actor: Caller) {
  return { OR: [{ app: teamWhere(actor) }, { appId: null, userId: actor.userId }] };
}

export interface AlertCounters {
  active: number;
  acknowledged: number;
  critical: number;
  resolved24h: number;
}

/** The caller's alerts with filters, plus the headline counters. */
export async function listAlerts({ db }: Deps, actor: Caller, raw: ListAlertsInput) {
  const input = listAlertsSchema.parse(raw);
  const status =
    input.status === "open" ? { in: ["active", "acknowledged"] as ("active" | "acknowledged")[] } : input.status === "all" ? undefined : input.status;
  const items = await db.alert.findMany({
    where: { ...alertsWhere(actor), status, kind: input.kind, appId: input.appId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
    include: { app: { select: { id: true, name: true } } },
  });
  const counts = await db.$queryRaw<AlertCounters[]>`
    SELECT count(*) FILTER (WHERE status = 'active')::int AS active,
           count(*) FILTER (WHERE status = 'acknowledged')::int AS acknowledged,
           count(*) FILTER (WHERE status <> 'resolved' AND severity = 'critical')::int AS critical,
           count(*) FILTER (WHERE status = 'resolved' AND resolved_at > now() - interval '24 hours')::int AS "resolved24h"
    FROM alerts al
    WHERE (al.app_id IS NULL AND al.user_id = ${actor.userId})
       OR EXISTS (SELECT 1 FROM apps a JOIN teams t ON t.id = a.team_id AND t.deleted_at IS NULL
                    JOIN team_members m ON m.team_id = a.team_id AND m.user_id = ${actor.userId}
                   WHERE a.id = al.app_id AND a.team_id = ${actor.team.id})`;
  const kinds = await db.alert.findMany({ where: alertsWhere(actor), distinct: ["kind"], select: { kind: true } });
  return { items, counters: counts[0]!, kinds: kinds.map((k) => k.kind).sort() };
}

export async function acknowledgeAlert({ db }: Deps, actor: Caller, { id }: z.infer<typeof alertIdInput>): Promise<void> {
  const { count } = await db.alert.updateMany({ where: { id, ...alertsWhere(actor), status: "active" }, data: { status: "acknowledged", acknowledgedAt: new Date() } });
  if (count === 0 && !(await db.alert.findFirst({ where: { id, ...alertsWhere(actor) }, select: { id: true } }))) throw notFound("Alert");
}

/** Resolves by hand; the source may fire again later as a new alert. */
export async function resolveAlert({ db }: Deps, actor: Caller, { id }: z.infer<typeof alertIdInput>): Promise<void> {
  const { count } = await db.alert.updateMany({
    where: { id, ...alertsWhere(actor), status: { not: "resolved" } },
    data: { status: "resolved", resolvedAt: new Date(), openKey: null },
  });
  if (count === 0 && !(await db.alert.findFirst({ where: { id, ...alertsWhere(actor) }, select: { id: true } }))) throw notFound("Alert");
}

/** An app's rules (defaults created on first look), each with its unit and allowed range. */
export async function getAppRules({ db }: Deps, actor: Caller, { appId }: AppRef) {
  const app = await requireOwnedApp(db, actor, appId);
  await ensureAppAlertRules(db, app.id, app.userId);
  const rules = await db.appAlertRule.findMany({ where: { appId: app.id, ...teamWhere(actor) } });
  return ALERT_METRICS.map((metric) => {
    const rule = rules.find((r) => r.metric === metric)!;
    const spec = METRIC_SPECS[metric];
    return { metric, threshold: rule.threshold, sustainMinutes: rule.sustainMinutes, enabled: rule.enabled, unit: spec.unit, label: spec.label, min: spec.min, max: spec.max, sustainMin: SUSTAIN_RANGE.min, sustainMax: SUSTAIN_RANGE.max };
  });
}

/** Saves one rule; a changed rule starts its streaks over. */
export async function updateAppRule(deps: Deps, actor: Caller, input: z.input<typeof updateRuleInput>) {
  const { db } = deps;
  const { userId } = actor;
  const { appId } = input;
  const rule = ruleUpdateSchema.parse(input.rule);
  const app = await requireOwnedApp(db, actor, appId);
  await db.appAlertRule.upsert({
    where: { appId_metric: { appId: app.id, metric: rule.metric } },
    create: { appId: app.id, userId, teamId: app.teamId, metric: rule.metric, threshold: rule.threshold, sustainMinutes: rule.sustainMinutes, enabled: rule.enabled },
    update: { threshold: rule.threshold, sustainMinutes: rule.sustainMinutes, enabled: rule.enabled, overSince: null, underSince: null },
  });
  return getAppRules(deps, actor, { appId });
}
