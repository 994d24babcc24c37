import type { AppConfig } from "../config/config";
import { clientIpFromForwardedFor, parseTrustProxy, type TrustPredicate } from "./client-ip";

const predicates = new Map<string, TrustPredicate>();

/** Client IP and user agent of a Fetch API request, honouring TRUST_PROXY. */
export function requestClient(headers: Headers, config: Pick<AppConfig, "TRUST_PROXY">): { ip: string; userAgent: string } {
  let trusted = predicates.get(config.TRUST_PROXY);
  if (!trusted) {
    trusted = parseTrustProxy(config.TRUST_PROXY);
    predicates.set(config.TRUST_PROXY, trusted);
  }
  return {
    ip: clientIpFromForwardedFor(headers.get("x-forwarded-for"), trusted),
    userAgent: (headers.get("user-agent") ?? "").slice(0, 512),
  };
}
