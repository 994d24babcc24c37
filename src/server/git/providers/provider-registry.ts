import type { AppConfig } from "../../config/config";
import { bitbucket } from "./bitbucket";
import { codeberg } from "./codeberg";
import { github } from "./github";
import { gitlab } from "./gitlab";
import type { GitProvider, GitProviderId } from "./provider-types";

export const PROVIDERS: Record<GitProviderId, GitProvider> = { github, gitlab, bitbucket, codeberg };

/** A provider appears in the dashboard once the operator set both its client id and secret. */
export function isConfigured(config: AppConfig, provider: GitProvider): boolean {
  return !!provider.clientId(config) && !!provider.clientSecret(config);
}

/**
 * The settings that turn a provider on (.env.example, "Git providers") and the callback URL to
 * register with its OAuth app: what the dashboard names instead of "Not available".
 */
export function providerSettings(config: AppConfig, id: GitProviderId): { variables: string[]; callbackUrl: string } {
  const prefix = id.toUpperCase();
  return { variables: [`${prefix}_CLIENT_ID`, `${prefix}_CLIENT_SECRET`], callbackUrl: callbackUrl(config, id) };
}

export function callbackUrl(config: AppConfig, id: GitProviderId): string {
  return `${config.PUBLIC_URL.replace(/\/+$/, "")}/api/git/callback/${id}`;
}
