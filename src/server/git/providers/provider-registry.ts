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

export function callbackUrl(config: AppConfig, id: GitProviderId): string {
  return `${config.PUBLIC_URL.replace(/\/+$/, "")}/api/git/callback/${id}`;
}
