import { z } from "zod";
import { appIdInput, requireOwnedApp, type AppRef } from "../apps/app-access";
import { liveStatsFor } from "../apps/live/live-stats";
import type { Actor } from "../auth/actor";
import type { Services } from "../runtime/services";
import { USAGE_RANGES, usageSeries } from "./usage-series";

const ranges = Object.keys(USAGE_RANGES) as [keyof typeof USAGE_RANGES, ...(keyof typeof USAGE_RANGES)[]];
export const appUsageInput = appIdInput.extend({ range: z.enum(ranges) });

/** Chart data for one of the caller's apps over a range (from usage_samples). */
export async function appUsage(deps: Pick<Services, "db">, actor: Pick<Actor, "userId" | "team">, { appId, range }: z.infer<typeof appUsageInput>) {
  const app = await requireOwnedApp(deps.db, actor, appId);
  return { range, points: await usageSeries(deps.db, app.userId, app.id, range) };
}

/** The app's live figures from the hubs' snapshots, or null when none is fresh. */
export async function appLiveUsage(deps: Pick<Services, "db" | "bus" | "log">, actor: Pick<Actor, "userId" | "team">, { appId }: AppRef) {
  const app = await requireOwnedApp(deps.db, actor, appId);
  const live = (await liveStatsFor(deps, [app.id])).get(app.id);
  if (!live) return null;
  return { cpuPct: live.cpuPct, memMb: live.memBytes / 2 ** 20, memLimitMb: live.memLimit / 2 ** 20, netMbps: live.netMbps, updatedAt: new Date(live.updatedAt) };
}
