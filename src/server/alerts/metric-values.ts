import type { LiveAppStats } from "../stats/live-app-stats";
import { METRIC_SPECS, type AlertMetric } from "./alert-rule-schema";

/** The live value a metric rule compares with its threshold; null when it cannot be measured. */
export function metricValue(metric: Exclude<AlertMetric, "offline">, snap: LiveAppStats | undefined): number | null {
  if (!snap) return null;
  switch (metric) {
    case "cpu":
      return snap.cpuPct;
    case "memory":
      return snap.memLimit > 0 ? (snap.memBytes / snap.memLimit) * 100 : null;
    case "network":
      return snap.netMbps;
    case "disk":
      return snap.diskMbps;
  }
}

/** Minutes since the app was last heard from: the fresher of its live stats and its worker's heartbeat. */
export function offlineMinutes(now: number, snap: LiveAppStats | undefined, workerHeartbeat: Date | null): number | null {
  const heard = Math.max(snap?.updatedAt ?? 0, workerHeartbeat?.getTime() ?? 0);
  if (heard === 0) return null;
  return Math.max(0, (now - heard) / 60_000);
}

export function metricEventName(metric: AlertMetric): "app.cpu" | "app.memory" | "app.network" | "app.disk" | "app.offline" {
  return `app.${metric}`;
}

export function metricTitle(metric: AlertMetric, appName: string): string {
  return metric === "offline" ? `${appName} is not responding` : `High ${METRIC_SPECS[metric].label.toLowerCase()} on ${appName}`;
}

export function metricMessage(metric: AlertMetric, value: number, threshold: number, sustainMinutes: number): string {
  const spec = METRIC_SPECS[metric];
  if (metric === "offline") return `No stats or worker heartbeat for ${value.toFixed(1)} minutes (limit ${threshold} ${spec.unit}).`;
  return `${spec.label} at ${value.toFixed(1)} ${spec.unit} (threshold ${threshold} ${spec.unit}) for ${sustainMinutes} minute${sustainMinutes === 1 ? "" : "s"}.`;
}
