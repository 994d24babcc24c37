import { hostname } from "node:os";
import type { Db } from "../db/client";
import type { Logger } from "pino";

/**
 * Records that this process (jobs or ws-hub) is alive, every `intervalMs`, so the status page
 * can show it. Returns a stop function that removes the row on clean shutdown.
 */
export function startProcessHeartbeat(
  db: Db,
  kind: "jobs" | "ws-hub",
  info: () => Record<string, unknown> = () => ({}),
  options: { intervalMs?: number; log?: Logger } = {},
): () => Promise<void> {
  const id = `${kind}:${hostname()}:${process.pid}`;
  const beat = async () => {
    try {
      const data = { kind, hostname: hostname(), pid: process.pid, info: info() as object, lastSeenAt: new Date() };
      await db.processHeartbeat.upsert({ where: { id }, create: { id, ...data }, update: data });
    } catch (err) {
      options.log?.warn({ err: (err as Error).message }, "could not record process heartbeat");
    }
  };
  void beat();
  const timer = setInterval(beat, options.intervalMs ?? 10_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await db.processHeartbeat.delete({ where: { id } }).catch(() => undefined);
  };
}
