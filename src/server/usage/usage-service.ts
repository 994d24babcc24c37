import { requireOwnedApp } from "../apps/app-access";
import { liveStatsFor } from "../apps/live/live-stats";
import type { Services } from "../runtime/services";
import { usageSeries, type UsageRange } from "./usage-series";

/** Chart data for one of the caller's apps over a range (from usage_samples). */
export async function appUsage(services: Services, userId: number, appId: number, range: UsageRange) {
  const app = await requireOwnedApp(services.db, userId, appId);
  return { range, points: await usageSeries(services.db, userId, app.id, range) };
}

/** The app's live figures from the hubs' snapshots, or null when none is fresh. */
export async function appLiveUsage(services: Services, userId: number, appId: number) {
  const app = await requireOwnedApp(services.db, userId, appId);
  const live = (await liveStatsFor(services, [app.id])).get(app.id);
  if (!live) return null;
  return { cpuPct: live.cpuPct, memMb: live.memBytes / 2 ** 20, memLimitMb: live.memLimit / 2 ** 20, netMbps: live.netMbps, updatedAt: new Date(live.updatedAt) };
}
