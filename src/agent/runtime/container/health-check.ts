import { request } from "node:http";

export interface HealthCheckOptions {
  /** Where the app's port is published on the worker (e.g. 127.0.0.1). */
  host: string;
  port: number;
  /** Request path, starting with "/" (the app's health-check setting; default "/"). */
  path?: string;
  /** How long the app has to become healthy, in all. */
  timeoutMs: number;
  /** Pause between attempts (the first pause when `maxIntervalMs` is larger). */
  intervalMs?: number;
  /**
   * Pauses grow by a quarter from `intervalMs` up to this: an app that answers within a fraction
   * of a second is seen within a fifth of its start time, one that takes longer is not asked 100
   * times a second. Default: `intervalMs`, a fixed pause.
   */
  maxIntervalMs?: number;
  /** Limit of one attempt. */
  requestTimeoutMs?: number;
  /** Stops waiting early when the container is gone (checked between attempts, at most every `ENGINE_CHECK_EVERY_MS`). */
  isAlive?: () => boolean | Promise<boolean>;
  /**
   * Asked between attempts, as `isAlive` is: why waiting longer is pointless (an app that settled
   * on another port, container-start-diagnosis.ts), else null. A reason ends the wait as "gave-up" with it.
   */
  giveUp?: () => Promise<string | null>;
  signal?: AbortSignal;
}

export type HealthCheckResult =
  | { healthy: true; status: number; attempts: number; elapsedMs: number }
  | { healthy: false; reason: "timeout" | "exited" | "aborted"; lastStatus: number | null; lastError: string | null; attempts: number; elapsedMs: number }
  | { healthy: false; reason: "gave-up"; detail: string; lastStatus: number | null; lastError: string | null; attempts: number; elapsedMs: number };

export class HealthCheckPathError extends Error {
  override name = "HealthCheckPathError";
}

/** `isAlive` and `giveUp` are engine calls: asked no more often than this, however short the pauses. */
export const ENGINE_CHECK_EVERY_MS = 100;

/** A health-check path as sent: must start with "/" and hold no control characters (no header injection). */
export function healthCheckPath(path: string | undefined): string {
  const p = path?.trim() || "/";
  if (!p.startsWith("/") || /[\u0000-\u001f\u007f\s]/.test(p) || p.length > 1024) {
    throw new HealthCheckPathError(`health-check path ${JSON.stringify(path)} must start with "/" and contain no spaces or control characters`);
  }
  return p;
}

/** One GET; resolves with the status code, or rejects with why there was none. */
function probe(host: string, port: number, path: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: "GET", timeout: timeoutMs, headers: { "user-agent": "wisehosting-health-check" } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/**
 * Polls the app over HTTP until it answers with a 2xx or 3xx status (healthy), the container is
 * gone, or the time is up. The deploy swap moves traffic only after a healthy answer.
 */
export async function waitForHealthy(options: HealthCheckOptions): Promise<HealthCheckResult> {
  const path = healthCheckPath(options.path);
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let attempts = 0;
  let lastStatus: number | null = null;
  let lastError: string | null = null;
  const fail = (reason: "timeout" | "exited" | "aborted"): HealthCheckResult => ({ healthy: false, reason, lastStatus, lastError, attempts, elapsedMs: Date.now() - started });
  const gaveUp = (detail: string): HealthCheckResult => ({ healthy: false, reason: "gave-up", detail, lastStatus, lastError, attempts, elapsedMs: Date.now() - started });
  let pause = options.intervalMs ?? 500;
  const maxPause = Math.max(pause, options.maxIntervalMs ?? pause);
  let checkedAt = started;
  for (;;) {
    if (options.signal?.aborted) return fail("aborted");
    attempts++;
    try {
      const status = await probe(options.host, options.port, path, Math.max(100, Math.min(options.requestTimeoutMs ?? 2_000, deadline - Date.now())));
      if (status >= 200 && status < 400) return { healthy: true, status, attempts, elapsedMs: Date.now() - started };
      lastStatus = status;
      lastError = `answered ${status}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() + pause >= deadline) {
      const pointless = await options.giveUp?.();
      return pointless ? gaveUp(pointless) : fail("timeout");
    }
    // Between attempts, during the pause rather than after it (each is an engine call, tens of ms
    // on a busy engine, which would otherwise delay the next attempt): is the container still
    // running, and is waiting longer pointless?
    const check = Date.now() - checkedAt >= ENGINE_CHECK_EVERY_MS;
    if (check) checkedAt = Date.now();
    const [alive, pointless] = await Promise.all([
      check ? (options.isAlive?.() ?? true) : true,
      check ? (options.giveUp?.() ?? null) : null,
      new Promise((r) => setTimeout(r, pause)),
    ]);
    if (pointless) return gaveUp(pointless);
    if (!alive) return fail("exited");
    pause = Math.min(maxPause, Math.round(pause * 1.25));
  }
}
