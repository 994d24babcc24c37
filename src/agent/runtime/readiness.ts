import { request } from "node:http";

/**
 * One HTTP request. On "/" (no health check set) any answer at all (even a 500) means the app
 * listens and speaks HTTP; on a health-check path the user set, only a 2xx/3xx counts, as in the
 * container runtime's health gate (src/agent/runtime/container/health-check.ts).
 */
function probe(port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET", timeout: timeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(path === "/" || (status >= 200 && status < 400));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

/** "taken": the port answered, but from a server that is not the app (see `answeredByApp`). */
export type ReadinessOutcome = "ready" | "exited" | "timeout" | "taken";

export interface ReadinessCheck {
  hasExited: () => boolean;
  /** The health-check path; "/" when none is set. */
  path?: string;
  /**
   * Asked after each answer: whether the server that gave it is the app. Without it any server
   * on the port counts, which is only right where nothing else can hold the port (a container's
   * own network namespace).
   */
  answeredByApp?: () => boolean;
}

/**
 * Polls until the app answers on its port, exits, or the deadline passes. An answer from a
 * server that is not the app does not end the wait; if that is the last thing seen before the
 * deadline the outcome is "taken".
 */
export async function waitUntilAnswering(port: number, timeoutMs: number, check: ReadinessCheck): Promise<ReadinessOutcome> {
  const { hasExited, path = "/", answeredByApp } = check;
  const deadline = Date.now() + timeoutMs;
  let taken = false;
  while (Date.now() < deadline) {
    if (hasExited()) return "exited";
    if (await probe(port, path, Math.min(2_000, Math.max(100, deadline - Date.now())))) {
      if (!answeredByApp || answeredByApp()) return "ready";
      taken = true;
    } else taken = false;
    if (hasExited()) return "exited";
    await new Promise((r) => setTimeout(r, 200));
  }
  return taken ? "taken" : "timeout";
}
