import type { Agent } from "undici";
import type { AppConfig } from "../config/config";
import { createGuardedAgent } from "./ssrf-guard";

const KEY = Symbol.for("wisehosting.webhookDispatcher");
type G = typeof globalThis & { [KEY]?: Agent };

/** The SSRF-guarded HTTP agent for test sends from the web process (one per process). */
export function getWebhookDispatcher(config: Pick<AppConfig, "WEBHOOK_ALLOW_CIDRS">): Agent {
  const g = globalThis as G;
  g[KEY] ??= createGuardedAgent({ allowCidrs: config.WEBHOOK_ALLOW_CIDRS });
  return g[KEY];
}
