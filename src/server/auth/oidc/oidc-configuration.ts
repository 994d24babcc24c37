import * as client from "openid-client";
import type { AppConfig } from "../../config/config";
import { DomainError } from "../../errors/domain-errors";

type OidcSettings = Pick<AppConfig, "OIDC_ISSUER" | "OIDC_CLIENT_ID" | "OIDC_CLIENT_SECRET">;

const cache = new Map<string, Promise<client.Configuration>>();

export function oidcEnabled(config: OidcSettings): boolean {
  return Boolean(config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET);
}

/**
 * The provider's discovered configuration (issuer metadata + our client), fetched once per
 * process. Plain-http issuers are only accepted on loopback (local test providers).
 */
export function oidcConfiguration(config: OidcSettings): Promise<client.Configuration> {
  if (!oidcEnabled(config)) throw new DomainError("UNAVAILABLE", "Google sign-in is not configured on this server.");
  const key = `${config.OIDC_ISSUER}|${config.OIDC_CLIENT_ID}`;
  let found = cache.get(key);
  if (!found) {
    const issuer = new URL(config.OIDC_ISSUER);
    const loopbackHttp = issuer.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(issuer.hostname);
    found = client
      .discovery(issuer, config.OIDC_CLIENT_ID!, undefined, client.ClientSecretBasic(config.OIDC_CLIENT_SECRET!), loopbackHttp ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((err: unknown) => {
        cache.delete(key);
        throw err;
      });
    cache.set(key, found);
  }
  return found;
}

export function oidcRedirectUri(config: Pick<AppConfig, "PUBLIC_URL">): string {
  return new URL("/api/auth/oidc/callback", config.PUBLIC_URL).toString();
}
