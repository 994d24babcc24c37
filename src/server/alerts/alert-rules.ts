import { z } from "zod";
import type { Db } from "../db/client";

export const ALERT_METRICS = ["cpu", "memory", "network", "disk", "offline"] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/** What a threshold means per metric, its allowed range and the default rule. */
export const METRIC_SPECS: Record<AlertMetric, { unit: string; label: string; min: number; max: number; threshold: number; sustainMinutes: number; enabled: boolean }> = {
  cpu: { unit: "%", label: "CPU", min: 1, max: 100, threshold: 90, sustainMinutes: 5, enabled: true },
  memory: { unit: "%", label: "Memory", min: 1, max: 100, threshold: 90, sustainMinutes: 5, enabled: true },
  network: { unit: "Mbps", label: "Network", min: 0.1, max: 100_000, threshold: 100, sustainMinutes: 5, enabled: false },
  disk: { unit: "MB/s", label: "Disk I/O", min: 0.1, max: 100_000, threshold: 50, sustainMinutes: 10, enabled: false },
  offline: { unit: "min", label: "Offline", min: 1, max: 1_440, threshold: 3, sustainMinutes: 1, enabled: true },
};

export const SUSTAIN_RANGE = { min: 1, max: 120 } as const;

/** One rule edit, with per-metric threshold ranges and messages that say what is allowed. */
export const ruleUpdateSchema = z
  .object({
    metric: z.enum(ALERT_METRICS),
    threshold: z.number().finite(),
    sustainMinutes: z.number().int().min(SUSTAIN_RANGE.min, `Sustain must be at least ${SUSTAIN_RANGE.min} minute.`).max(SUSTAIN_RANGE.max, `Sustain can be at most ${SUSTAIN_RANGE.max} minutes.`),
    enabled: z.boolean(),
  })
  .superRefine((rule, ctx) => {
    const spec = METRIC_SPECS[rule.metric];
    if (rule.threshold < spec.min || rule.threshold > spec.max) {
      ctx.addIssue({
        code: "custom",
        path: ["threshold"],
        message: `${spec.label} threshold must be between ${spec.min} and ${spec.max} ${spec.unit}.`,
      });
    }
  });

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
