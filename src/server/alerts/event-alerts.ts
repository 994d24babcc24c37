import type { Db } from "../db/client";
import type { PlatformEvent } from "../events/platform-events";
import { emitAlert, resolveAlertsBySource } from "./alert-manager";

/** Crash loop: this many crashes of one app within the window. */
export const CRASHLOOP_CRASHES = 3;
export const CRASHLOOP_WINDOW_MINUTES = 10;

const DEPLOY_SOURCE = "app_deploy";
const CRASHLOOP_SOURCE = "app_crashloop";
const VIOLATION_SOURCE = "app_violation";

function str(data: Record<string, unknown> | undefined, key: string): string {
  const v = data?.[key];
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
}

/**
 * Event-driven alerts (crashloop and deployment_failed come from the dispatcher and the worker,
 * not from the poller). Idempotent: a redelivered event finds its alert already open.
 */
export async function applyEventToAlerts(db: Db, event: PlatformEvent): Promise<"emitted" | "resolved" | "ignored"> {
  const appId = event.appId ?? null;
  if (appId === null) return "ignored";
  const appName = str(event.data, "appName") || `app #${appId}`;
  switch (event.type) {
    case "deployment.failed": {
      const reason = str(event.data, "error") || str(event.data, "reason") || "The build or start failed; see the deployment logs.";
      const sha = str(event.data, "commitSha").slice(0, 7);
      await emitAlert(db, {
        userId: event.userId,
        appId,
        kind: "deployment_failed",
        severity: "critical",
        sourceType: DEPLOY_SOURCE,
        sourceId: String(appId),
        title: `Deployment failed for ${appName}`,
        message: sha ? `${reason} (commit ${sha})` : reason,
      });
      return "emitted";
    }
    case "deployment.succeeded": {
      const n = await resolveAlertsBySource(db, event.userId, DEPLOY_SOURCE, String(appId));
      // A good deployment also clears the crash loop and violation it replaced.
      const m = await resolveAlertsBySource(db, event.userId, CRASHLOOP_SOURCE, String(appId));
      const v = await resolveAlertsBySource(db, event.userId, VIOLATION_SOURCE, String(appId));
      return n + m + v > 0 ? "resolved" : "ignored";
    }
    case "app.crashed": {
      const rows = await db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM app_events
        WHERE app_id = ${appId} AND kind IN ('crash', 'crashed')
          AND created_at > now() - make_interval(mins => ${CRASHLOOP_WINDOW_MINUTES})`;
      const crashes = rows[0]?.n ?? 0;
      if (crashes < CRASHLOOP_CRASHES) return "ignored";
      await emitAlert(db, {
        userId: event.userId,
        appId,
        kind: "crashloop",
        severity: "critical",
        sourceType: CRASHLOOP_SOURCE,
        sourceId: String(appId),
        title: `${appName} is crash-looping`,
        message: `${crashes} crashes in the last ${CRASHLOOP_WINDOW_MINUTES} minutes. Check the runtime logs.`,
      });
      return "emitted";
    }
    case "app.violation": {
      await emitAlert(db, {
        userId: event.userId,
        appId,
        kind: "violation",
        severity: "critical",
        sourceType: VIOLATION_SOURCE,
        sourceId: String(appId),
        title: `${appName} was stopped for a policy violation`,
        message: str(event.data, "reason") || "The worker reported a resource or policy violation.",
      });
      return "emitted";
    }
    default:
      return "ignored";
  }
}

/** Crash-loop alerts resolve once the app has gone a whole window without crashing. */
export async function resolveQuietCrashloops(db: Db): Promise<number> {
  return db.$executeRaw`
    UPDATE alerts al SET status = 'resolved', resolved_at = now(), open_key = NULL, updated_at = now()
    WHERE al.source_type = ${CRASHLOOP_SOURCE} AND al.open_key IS NOT NULL
      AND NOT EXISTS (
        SELECT 1 FROM app_events e
        WHERE e.app_id = al.app_id AND e.kind IN ('crash', 'crashed')
          AND e.created_at > now() - make_interval(mins => ${CRASHLOOP_WINDOW_MINUTES})
      )`;
}
