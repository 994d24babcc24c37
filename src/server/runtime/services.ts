import type { Logger } from "pino";
import type { Agent } from "undici";
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
import { createRateLimiter } from "../rate-limit/create-rate-limiter";
import type { RateLimiter } from "../rate-limit/rate-limiter";
import { createGuardedAgent } from "../webhooks/ssrf-guard";

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
  /** Attempt counters for sign-in, 2FA and re-auth: Redis when configured (Postgres while it is down), else Postgres. */
  limiter: RateLimiter;
  /** The SSRF-guarded HTTP agent for webhook test sends. */
  webhookDispatcher: Agent;
  /** The clock services read; tests pass their own. */
  now: () => Date;
  close(): Promise<void>;
}

export function createServices(processName: string, config: AppConfig = getConfig()): Services {
  const log = createLogger(processName, config.LOG_LEVEL);
  const db = createDb(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX });
  const cache = createCache(config.REDIS_URL, log.child({ component: "cache" }));
  const bus = createBus({ databaseUrl: config.DATABASE_URL, redisUrl: config.REDIS_URL, log: log.child({ component: "bus" }) });
  const queue = new QueueSender(config.DATABASE_URL, log.child({ component: "queue" }));
  const events = createEventSink(queue, log.child({ component: "events" }));
  const webhookDispatcher = createGuardedAgent({ allowCidrs: config.WEBHOOK_ALLOW_CIDRS });
  // Built on first use: only the web process counts attempts, and a Redis limiter holds a connection.
  let limiter: RateLimiter | undefined;
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
    get limiter() {
      limiter ??= createRateLimiter({ db, redisUrl: config.REDIS_URL });
      return limiter;
    },
    webhookDispatcher,
    now: () => new Date(),
    async close() {
      await webhookDispatcher.close().catch(() => undefined);
      await limiter?.close().catch(() => undefined);
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
