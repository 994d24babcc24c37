import { Prisma, type Db } from "../db/client";
import type { PlatformEventSink } from "../events/platform-events";
import { WORKER_OFFLINE_REASON_PREFIX } from "../workers/worker-health";
import type { LiveAppStats } from "../stats/live-app-stats";
import { emitAlert, openKey, resolveAlertsBySource } from "./alert-manager";
import type { AlertMetric } from "./alert-rule-schema";
import { metricEventName, metricMessage, metricTitle, metricValue, offlineMinutes } from "./metric-values";

export const METRIC_SOURCE = "app_metric";

export interface StatsReader {
  get(appId: number): LiveAppStats | undefined;
}

interface RuleRow {
  id: number;
  app_id: number;
  user_id: number;
  metric: AlertMetric;
  threshold: number;
  sustain_minutes: number;
  over_since: Date | null;
  under_since: Date | null;
  app_name: string;
  subdomain: string;
  last_heartbeat: Date | null;
}

/** SQL condition: the app was stopped by worker health because its worker went silent and is still offline. */
function workerDownApp(app: "a", worker: "w") {
  return Prisma.sql`(${Prisma.raw(app)}.status = 'stopped' AND ${Prisma.raw(worker)}.status = 'offline'
    AND ${Prisma.raw(app)}.status_reason LIKE ${WORKER_OFFLINE_REASON_PREFIX + "%"})`;
}

export interface AlertTickResult {
  evaluated: number;
  fired: number;
  resolved: number;
}

/**
 * One threshold-poller tick: every enabled rule of every running app
 * against its live value, with hysteresis. Over the threshold for `sustain` minutes → alert (once,
 * deduplicated by source); under it for `sustain` minutes while open → resolved. Streak starts live
 * in the rule rows, so whichever jobs process runs a tick continues the same streaks, and a tick
 * that runs twice changes nothing the second time.
 */
export async function runAlertTick(deps: { db: Db; stats: StatsReader; events?: PlatformEventSink | null; now?: Date }): Promise<AlertTickResult> {
  const now = deps.now ?? new Date();
  const nowMs = now.getTime();
  const rules = await deps.db.$queryRaw<RuleRow[]>`
    SELECT r.id, r.app_id, r.user_id, r.metric::text AS metric, r.threshold, r.sustain_minutes, r.over_since, r.under_since,
           a.name AS app_name, a.subdomain, w.last_heartbeat
    FROM app_alert_rules r
    JOIN apps a ON a.id = r.app_id
    LEFT JOIN workers w ON w.id = a.worker_id
    WHERE r.enabled AND (a.status = 'running' OR (r.metric = 'offline' AND ${workerDownApp("a", "w")}))`;
  const openRows = await deps.db.$queryRaw<{ open_key: string }[]>`
    SELECT open_key FROM alerts WHERE source_type = ${METRIC_SOURCE} AND open_key IS NOT NULL`;
  const open = new Set(openRows.map((r) => r.open_key));

  const changed: { id: number; over: Date | null; under: Date | null }[] = [];
  let fired = 0;
  let resolved = 0;
  for (const rule of rules) {
    const snap = deps.stats.get(rule.app_id);
    const value = rule.metric === "offline" ? offlineMinutes(nowMs, snap, rule.last_heartbeat) : metricValue(rule.metric, snap);
    // Not measurable right now: keep the streaks as they are rather than guess.
    if (value === null) continue;
    const sourceId = `${rule.app_id}:${rule.metric}`;
    const isOpen = open.has(openKey(rule.user_id, METRIC_SOURCE, sourceId));
    const sustainMs = rule.sustain_minutes * 60_000;
    let over = rule.over_since;
    let under = rule.under_since;
    if (value >= rule.threshold) {
      under = null;
      over ??= now;
      if (!isOpen && nowMs - over.getTime() >= sustainMs) {
        const result = await emitAlert(deps.db, {
          userId: rule.user_id,
          appId: rule.app_id,
          kind: rule.metric,
          severity: rule.metric === "offline" ? "critical" : "warning",
          sourceType: METRIC_SOURCE,
          sourceId,
          title: metricTitle(rule.metric, rule.app_name),
          message: metricMessage(rule.metric, value, rule.threshold, rule.sustain_minutes),
        });
        if (result.created) {
          fired++;
          await deps.events?.emit({
            type: metricEventName(rule.metric),
            userId: rule.user_id,
            appId: rule.app_id,
            data: { appName: rule.app_name, subdomain: rule.subdomain, value: Math.round(value * 10) / 10, threshold: rule.threshold, sustainMinutes: rule.sustain_minutes, alertId: result.alertId },
          });
        }
      }
    } else {
      over = null;
      if (!isOpen) under = null;
      else {
        under ??= now;
        if (nowMs - under.getTime() >= sustainMs) {
          resolved += await resolveAlertsBySource(deps.db, rule.user_id, METRIC_SOURCE, sourceId);
          under = null;
        }
      }
    }
    if (over?.getTime() !== rule.over_since?.getTime() || under?.getTime() !== rule.under_since?.getTime()) {
      changed.push({ id: rule.id, over, under });
    }
  }
  if (changed.length > 0) {
    await deps.db.$executeRaw`
      UPDATE app_alert_rules r SET over_since = c.over_since, under_since = c.under_since
      FROM unnest(${changed.map((c) => c.id)}::int[], ${changed.map((c) => c.over)}::timestamptz[], ${changed.map((c) => c.under)}::timestamptz[])
        AS c(id, over_since, under_since)
      WHERE r.id = c.id`;
  }
  // An app that stopped running cannot be over a threshold any more — except the offline alert of
  // an app whose worker went silent: that app is down, and stays alerting until it runs again.
  resolved += await deps.db.$executeRaw`
    UPDATE alerts al SET status = 'resolved', resolved_at = now(), open_key = NULL, updated_at = now()
    FROM apps a LEFT JOIN workers w ON w.id = a.worker_id
    WHERE al.source_type = ${METRIC_SOURCE} AND al.open_key IS NOT NULL AND a.id = al.app_id AND a.status <> 'running'
      AND NOT (al.kind = 'offline' AND ${workerDownApp("a", "w")})`;
  return { evaluated: rules.length, fired, resolved };
}
