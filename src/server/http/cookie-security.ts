import type { AppConfig } from "../config/config";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Cookies are Secure everywhere except a plain-http dashboard on a loopback host (development
 * and tests); `__Host-` names require Secure, so the name follows the same switch.
 */
export function cookiesAreSecure(config: Pick<AppConfig, "PUBLIC_URL">): boolean {
  const url = new URL(config.PUBLIC_URL);
  return !(url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname));
}

export function cookieName(config: Pick<AppConfig, "PUBLIC_URL">, base: string): string {
  return cookiesAreSecure(config) ? `__Host-${base}` : base;
}
