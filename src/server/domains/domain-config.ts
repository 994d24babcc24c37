import type { AppConfig } from "../config/config";
import type { HostnameContext } from "./hostname-rules";

function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** The platform's own host names, which users cannot claim as custom domains. */
export function hostnameContext(config: AppConfig): HostnameContext {
  const reserved = [hostOf(config.PUBLIC_URL), hostOf(config.HUB_PUBLIC_URL), config.DOMAIN_CNAME_TARGET ?? null]
    .filter((h): h is string => !!h && h !== "localhost" && h !== "127.0.0.1");
  return { platformDomain: config.PLATFORM_DOMAIN, reservedHosts: reserved };
}

export function cnameTarget(config: AppConfig, appSubdomain: string): string {
  return config.DOMAIN_CNAME_TARGET ?? `${appSubdomain}.${config.PLATFORM_DOMAIN}`;
}

export function allowedAddresses(config: AppConfig): string[] {
  return config.DOMAIN_A_RECORDS.split(",").map((a) => a.trim()).filter(Boolean);
}

export const CHALLENGE_PREFIX = "_wisehosting-challenge";
