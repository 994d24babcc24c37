import type { AppConfig } from "../config/config";

/**
 * CSRF defence for state-changing requests: the browser-set Origin header must be the
 * dashboard's own origin (PUBLIC_URL) or the origin the request was addressed to. A missing
 * Origin is refused: every browser sends it on cross-site and same-site POSTs.
 */
export function isSameOrigin(origin: string | null, headers: Headers, config: Pick<AppConfig, "PUBLIC_URL">): boolean {
  if (!origin || origin === "null") return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  const allowed = new Set<string>([new URL(config.PUBLIC_URL).origin]);
  const host = headers.get("host");
  if (host) {
    const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || parsed.protocol.replace(":", "");
    allowed.add(`${proto}://${host}`);
  }
  return allowed.has(parsed.origin);
}
