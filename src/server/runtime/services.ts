import type { Logger } from "pino";
import type { Bus } from "../bus/channels";
import { createBus } from "../bus/create-bus";
import type { JsonCache } from "../cache/json-cache";
import { createCache } from "../cache/create-cache";
import type { AppConfig } from "../config/config";
import { getConfig } from "../config/config";
import { SecretCipher } from "../crypto/secret-cipher";
import { createDb, type Db } from "../db/client";
import { createEventSink } from "../events/event-sink";
import { QueueSender } from "../queue/queue-sender";
import type { PlatformEventSink } from "../events/platform-events";
import { createLogger } from "../logging/logger";
import { PlanRegistry } from "../plans/plans";

/** What every process (web, jobs, ws-hub) shares: one of each per process. */
export interface Services {
  config: AppConfig;
  log: Logger;
  db: Db;
  cache: JsonCache;
  cipher: SecretCipher;
  plans: PlanRegistry;
  bus: Bus;
  /** Platform events → alerts and outbound webhooks (consumed by the jobs process). */
  events: PlatformEventSink;
  /** pg-boss sender (email, webhook deliveries, anything the jobs process executes). */
  queue: QueueSender;
  close(): Promise<void>;
}

export function createServices(processName: string, config: AppConfig = getConfig()): Services {
  const log = createLogger(processName, config.LOG_LEVEL);
  const db = createDb(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX });
  const cache = createCache(config.REDIS_URL, log.child({ component: "cache" }));
  const bus = createBus({ databaseUrl: config.DATABASE_URL, redisUrl: config.REDIS_URL, log: log.child({ component: "bus" }) });
  const queue = new QueueSender(config.DATABASE_URL, log.child({ component: "queue" }));
  const events = createEventSink(queue, log.child({ component: "events" }));
  return {
    config,
    log,
    db,
    cache,
    cipher: new SecretCipher(config.APP_SECRET),
    plans: PlanRegistry.fromJson(config.PLANS_JSON),
    bus,
    events,
    queue,
    async close() {
      await queue.close().catch(() => undefined);
      await bus.close().catch(() => undefined);
      await cache.close().catch(() => undefined);
      await db.$disconnect();
    },
  };
}

const GLOBAL_KEY = Symbol.for("wisehosting.services");
type GlobalWithServices = typeof globalThis & { [GLOBAL_KEY]?: Services };

/**
 * The process-wide services, created on first use. Kept on globalThis so Next.js module
 * reloading in development does not open a new pool per reload.
 */
export function getServices(processName = "web"): Services {
  const g = globalThis as GlobalWithServices;
  g[GLOBAL_KEY] ??= createServices(processName);
  return g[GLOBAL_KEY];
}
