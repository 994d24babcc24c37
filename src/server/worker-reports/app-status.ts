import { invalidateAppCache, publishQuietly, type WorkerServiceDeps } from "../workers/hub-deps";
import { forbiddenFrame } from "../../protocol/frame-error";
import type { WorkerMessage } from "../../protocol/worker-messages";
import { printableLogText } from "./log-text";

interface ChangedApp {
  id: number;
  user_id: number;
  name: string;
  subdomain: string;
  status: string;
}

/** App statuses a worker report may not overwrite (the control plane decided them). */
const FINAL = ["deleted"];

async function setAppStatus(
  deps: WorkerServiceDeps,
  workerId: number,
  appId: number,
  status: "running" | "stopped" | "crashed" | "violated",
  reason: string | null,
): Promise<ChangedApp> {
  const rows = await deps.db.$queryRaw<ChangedApp[]>`
    UPDATE apps SET status = ${status}::"AppStatus", status_reason = ${reason}, updated_at = now()
     WHERE id = ${appId} AND deleted_at IS NULL AND status::text <> ALL(${FINAL}::text[])
       AND (worker_id = ${workerId}
            OR EXISTS (SELECT 1 FROM jobs j WHERE j.app_id = ${appId} AND j.worker_id = ${workerId}
                        AND j.status IN ('assigned', 'processing')))
     RETURNING id, user_id, name, subdomain, status::text AS status`;
  const app = rows[0];
  if (!app) throw forbiddenFrame(`App ${appId}`);
  await invalidateAppCache(deps.cache, app.id, app.user_id);
  publishQuietly(deps, deps.bus.publish("app.changed", { appId: app.id, userId: app.user_id, status: app.status }), "app.changed");
  return app;
}

/**
 * app_status: the app's state as the worker sees it. `stopped` → app.stopped event; `crashed` →
 * an app_events row (the jobs process counts them for crash-loop alerts) and app.crashed.
 */
export async function applyAppStatus(deps: WorkerServiceDeps, workerId: number, msg: WorkerMessage<"app_status">): Promise<void> {
  const reason = msg.reason ? printableLogText(msg.reason) : null;
  const app = await setAppStatus(deps, workerId, msg.app_id, msg.status, reason);
  const data = { appName: app.name, subdomain: app.subdomain, ...(reason ? { reason } : {}) };
  if (msg.status === "stopped") {
    await deps.events.emit({ type: "app.stopped", userId: app.user_id, appId: app.id, data });
  } else if (msg.status === "crashed") {
    await deps.db.appEvent.create({ data: { appId: app.id, kind: "crashed", message: reason ?? "" } });
    await deps.events.emit({ type: "app.crashed", userId: app.user_id, appId: app.id, data });
  }
}

/** The worker stopped an app for breaking its limits. */
export async function applyViolation(deps: WorkerServiceDeps, workerId: number, msg: WorkerMessage<"violation">): Promise<void> {
  const reason = printableLogText(msg.reason);
  const app = await setAppStatus(deps, workerId, msg.app_id, "violated", reason);
  await deps.db.appEvent.create({ data: { appId: app.id, kind: "violation", message: reason } });
  await deps.events.emit({ type: "app.violation", userId: app.user_id, appId: app.id, data: { appName: app.name, subdomain: app.subdomain, reason } });
}
