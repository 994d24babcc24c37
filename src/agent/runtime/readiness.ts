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

export type ReadinessOutcome = "ready" | "exited" | "timeout";

/** Polls until the app answers on its port, exits, or the deadline passes. */
export async function waitUntilAnswering(port: number, timeoutMs: number, hasExited: () => boolean, path = "/"): Promise<ReadinessOutcome> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited()) return "exited";
    if (await probe(port, path, Math.min(2_000, Math.max(100, deadline - Date.now())))) return "ready";
    if (hasExited()) return "exited";
    await new Promise((r) => setTimeout(r, 200));
  }
  return "timeout";
}
