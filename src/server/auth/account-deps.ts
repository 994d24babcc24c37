import type { Logger } from "pino";
import type { AppConfig } from "../config/config";
import type { SecretCipher } from "../crypto/secret-cipher";
import type { Db } from "../db/client";
import type { PlatformEventSink } from "../events/platform-events";
import type { QueueSender } from "../queue/queue-sender";
import { getRateLimiter } from "../rate-limit/create-rate-limiter";
import type { RateLimiter } from "../rate-limit/rate-limiter";
import type { Services } from "../runtime/services";

/** What the account services need; tests build it with their own clock and limiter. */
export interface AccountDeps {
  db: Db;
  config: AppConfig;
  log: Logger;
  cipher: SecretCipher;
  queue: QueueSender;
  events: PlatformEventSink;
  limiter: RateLimiter;
  now: () => Date;
}

export function accountDeps(services: Services, overrides: Partial<Pick<AccountDeps, "limiter" | "now">> = {}): AccountDeps {
  return {
    db: services.db,
    config: services.config,
    log: services.log,
    cipher: services.cipher,
    queue: services.queue,
    events: services.events,
    limiter: overrides.limiter ?? getRateLimiter(services.db, services.config.REDIS_URL),
    now: overrides.now ?? (() => new Date()),
  };
}
