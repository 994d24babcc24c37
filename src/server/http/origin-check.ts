import type { AppConfig } from "../config/config";
import { hostPolicy } from "./host-allow-list";

type OriginConfig = Pick<AppConfig, "PUBLIC_URL" | "ALLOWED_HOSTS" | "WEB_PORT" | "isProduction">;

/**
 * CSRF defence for state-changing requests: the browser-set Origin header must be the
 * dashboard's own origin (PUBLIC_URL), or an http(s) origin on another name the dashboard is
 * configured to answer to (ALLOWED_HOSTS, and the loopback names outside production). The
 * request's own Host is never trusted: under DNS rebinding a hostile page's Origin and Host
 * agree. A missing Origin is refused: every browser sends it on cross-site and same-site POSTs.
 */
export function isSameOrigin(origin: string | null, config: OriginConfig): boolean {
  if (!origin || origin === "null") return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  const policy = hostPolicy(config);
  if (parsed.origin === policy.publicOrigin) return true;
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return false;
  // PUBLIC_URL's host under the other scheme is a different origin (http content on an https name).
  if (parsed.host === policy.publicHost) return false;
  return policy.hosts.has(parsed.host);
}

/** The 403 message for a refused Origin, naming the settings that decide it. */
export const crossSiteRefusal =
  "Cross-site request refused: it did not come from the dashboard's own address (PUBLIC_URL, or a name in ALLOWED_HOSTS). Reload the dashboard and try again.";
