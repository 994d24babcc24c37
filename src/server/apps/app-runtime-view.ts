import type { App } from "../db/generated/client";
import { runtimeReportSchema, type RuntimeReport } from "../../protocol/runtime-report";
import type { DbOrTx } from "./app-access";

export interface AppRuntimeView {
  /** The app's health-check setting (what the next deploy is checked with). */
  healthCheck: { path: string; timeoutSeconds: number };
  /** What the worker last reported when it started the app; null before the first report. */
  report: (RuntimeReport & { reportedAt: Date; containerId: string | null }) | null;
}

/**
 * The Runtime card's data (apps.get, src/server/apps/list-apps.ts). Takes an app row the caller
 * already loaded through the ownership check, so it adds no access path of its own. A stored
 * report is validated again on read: one that no longer parses (written by an older hub) is
 * shown as "not reported" rather than half.
 */
export async function appRuntimeView(
  db: DbOrTx,
  app: Pick<App, "id" | "workerId" | "containerId" | "healthCheckPath" | "healthCheckTimeoutSeconds">,
): Promise<AppRuntimeView> {
  const row = await db.appRuntimeReport.findUnique({ where: { appId: app.id }, select: { report: true, reportedAt: true, workerId: true } });
  const parsed = row ? runtimeReportSchema.safeParse(row.report) : null;
  return {
    healthCheck: { path: app.healthCheckPath, timeoutSeconds: app.healthCheckTimeoutSeconds },
    report:
      row && parsed?.success
        ? { ...parsed.data, reportedAt: row.reportedAt, containerId: row.workerId === app.workerId ? app.containerId : null }
        : null,
  };
}
