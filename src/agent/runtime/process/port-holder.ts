import type { AppInstance } from "./app-instance";
import { loopbackListeners, socketInodes } from "./listening-sockets";
import { appMembers, readProcessTable } from "./process-table";

/**
 * Who a connection to 127.0.0.1:`port` reaches: only the app's own processes, some other process
 * (alone or beside the app), or nothing. An HTTP answer on the app's port proves the app is up
 * only when the app holds every socket that answer could have come from: a port held by a
 * process an earlier run left, or by another app, answers just as well.
 */
export type PortHolder = "app" | "other" | "nobody";

export function portHolder(appPids: number[], port: number): PortHolder {
  const listeners = loopbackListeners(port, appPids[0] ?? "self");
  if (listeners.length === 0) return "nobody";
  const own = new Set(appPids.flatMap(socketInodes));
  return listeners.every((inode) => own.has(inode)) ? "app" : "other";
}

/** The pids of the app's process tree right now (src/agent/runtime/process/process-table.ts). */
export function appPids(instance: AppInstance): number[] {
  const pid = instance.proc.pid;
  return appMembers(readProcessTable(), pid, pid).map((p) => p.pid);
}

/** Who holds the port the app was started on. */
export function instancePortHolder(instance: AppInstance, port: number): PortHolder {
  return portHolder(appPids(instance), port);
}
