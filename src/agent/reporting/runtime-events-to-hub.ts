import type { Uplink } from "../connection/uplink";
import type { AppRuntime, AppStatus, RuntimeEvents } from "../runtime/app-runtime";
import type { RuntimeLogShipper } from "./runtime-log-shipper";

/**
 * The runtime's events as frames for the hub: app states and violations must arrive (reliable,
 * queued while the hub is away); app output is batched by the log shipper.
 */
export function runtimeEventsToHub(uplink: Uplink, shipper: RuntimeLogShipper): RuntimeEvents {
  return {
    appStatus: (appId, status, reason) => sendAppStatus(uplink, appId, status, reason),
    violation: (appId, reason) => uplink.send("violation", { app_id: appId, reason }, { reliable: true }),
    log: (appId, stream, line) => shipper.add(appId, stream, line),
  };
}

/** After each (re)connect: the hub may have marked our apps stopped while we were away, so tell it the truth. */
export function reportAppStates(uplink: Uplink, runtime: AppRuntime): void {
  for (const app of runtime.appStates()) {
    // A violation was reported when it happened; a `stopped` now would overwrite it.
    if (app.violation) continue;
    sendAppStatus(uplink, app.appId, app.status, app.reason);
  }
}

function sendAppStatus(uplink: Uplink, appId: number, status: AppStatus, reason: string | undefined): void {
  uplink.send("app_status", { app_id: appId, status, ...(reason ? { reason } : {}) }, { reliable: true });
}
