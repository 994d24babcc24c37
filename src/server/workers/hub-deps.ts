import type { Logger } from "pino";
import type { Bus } from "../bus/channels";
import type { JsonCache } from "../cache/json-cache";
import type { SecretCipher } from "../crypto/secret-cipher";
import type { Db } from "../db/client";
import type { PlatformEventSink } from "../events/platform-events";
import type { QueueSender } from "../queue/queue-sender";

/** What the worker-message services need from the process's services. */
export interface WorkerServiceDeps {
  db: Db;
  bus: Bus;
  cache: JsonCache;
  events: PlatformEventSink;
  cipher: SecretCipher;
  log: Logger;
  /** To ask the jobs process for an assignment pass once a finished job frees capacity. */
  queue?: QueueSender;
}

/** Cache keys other processes may hold for an app; dropped whenever the hub changes the app. */
export async function invalidateAppCache(cache: JsonCache, appId: number, userId?: number): Promise<void> {
  await cache.delete(`app:${appId}`).catch(() => undefined);
  await cache.deletePrefix(`app:${appId}:`).catch(() => undefined);
  if (userId !== undefined) await cache.deletePrefix(`user:${userId}:`).catch(() => undefined);
}

/** Bus publishes are best-effort notifications: state is already in Postgres. */
export function publishQuietly(deps: Pick<WorkerServiceDeps, "log">, p: Promise<void>, what: string): void {
  p.catch((err: Error) => deps.log.warn({ err: err.message }, `${what} publish failed`));
}
