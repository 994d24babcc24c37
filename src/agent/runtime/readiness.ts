import { request } from "node:http";

/** One HTTP request; any answer at all (even a 500) means the app listens and speaks HTTP. */
function probe(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/", method: "GET", timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

export type ReadinessOutcome = "ready" | "exited" | "timeout";

/** Polls until the app answers on its port, exits, or the deadline passes. */
export async function waitUntilAnswering(port: number, timeoutMs: number, hasExited: () => boolean): Promise<ReadinessOutcome> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited()) return "exited";
    if (await probe(port, Math.min(2_000, Math.max(100, deadline - Date.now())))) return "ready";
    if (hasExited()) return "exited";
    await new Promise((r) => setTimeout(r, 200));
  }
  return "timeout";
}
