import type { Db } from "../db/client";
import { ALERT_METRICS, METRIC_SPECS } from "./alert-rule-schema";

/** Creates the default rule set for an app where missing; existing (edited) rules are kept. */
export async function ensureAppAlertRules(db: Db, appId: number, userId: number): Promise<void> {
  const app = await db.app.findUnique({ where: { id: appId }, select: { teamId: true } });
  if (!app) return;
  const { teamId } = app;
  await db.appAlertRule.createMany({
    data: ALERT_METRICS.map((metric) => ({
      appId,
      userId,
      teamId,
      metric,
      threshold: METRIC_SPECS[metric].threshold,
      sustainMinutes: METRIC_SPECS[metric].sustainMinutes,
      enabled: METRIC_SPECS[metric].enabled,
    })),
    skipDuplicates: true,
  });
}

/** Gives every running app without rules the default set (the poller only evaluates existing rules). */
export async function ensureRulesForRunningApps(db: Db): Promise<number> {
  const metrics = ALERT_METRICS.map((m) => m);
  return db.$executeRaw`
    INSERT INTO app_alert_rules (app_id, user_id, team_id, metric, threshold, sustain_minutes, enabled, updated_at)
    SELECT a.id, a.user_id, a.team_id, d.metric::"AlertMetric", d.threshold, d.sustain, d.enabled, now()
    FROM apps a
    CROSS JOIN unnest(
      ${metrics}::text[],
      ${metrics.map((m) => METRIC_SPECS[m].threshold)}::float8[],
      ${metrics.map((m) => METRIC_SPECS[m].sustainMinutes)}::int[],
      ${metrics.map((m) => METRIC_SPECS[m].enabled)}::boolean[]
    ) AS d(metric, threshold, sustain, enabled)
    WHERE a.status = 'running' AND NOT EXISTS (SELECT 1 FROM app_alert_rules r WHERE r.app_id = a.id)
    ON CONFLICT (app_id, metric) DO NOTHING`;
}
