/**
 * The port the app really listens on (its PORT), as the overview shows it. The process runtime
 * gives every release a free host port as PORT (src/agent/runtime/process/process-runtime.ts); a
 * container gets PORT = the app's internal port inside it, published on a host port
 * (src/agent/runtime/container/container-spec.ts). Process-runtime apps carry a `pid-` container id.
 */
export interface ListenPort {
  /** PORT inside the app, or null before it first ran. */
  port: number | null;
  /** Where traffic reaches it from the worker's side, when that differs from `port`. */
  publishedOn: number | null;
  runtime: "process" | "container" | null;
}

export function listenPort(app: { internalPort: number; port: number | null; containerId: string | null }): ListenPort {
  if (!app.containerId || app.port === null) return { port: null, publishedOn: null, runtime: null };
  if (app.containerId.startsWith("pid-")) return { port: app.port, publishedOn: null, runtime: "process" };
  return { port: app.internalPort, publishedOn: app.port, runtime: "container" };
}
