import type { AppConfig } from "../../config/config";

export const GIT_PROVIDERS = ["github", "gitlab", "bitbucket", "codeberg"] as const;
export type GitProviderId = (typeof GIT_PROVIDERS)[number];

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  scopes: string;
}

export interface ProviderRepo {
  fullName: string;
  cloneUrl: string;
  defaultBranch: string;
  private: boolean;
}

/** One git host: its OAuth endpoints and the two API calls the new-app form needs. */
export interface GitProvider {
  id: GitProviderId;
  label: string;
  clientId(config: AppConfig): string | undefined;
  clientSecret(config: AppConfig): string | undefined;
  authorizeUrl(config: AppConfig, params: { state: string; redirectUri: string }): string;
  exchangeCode(config: AppConfig, params: { code: string; redirectUri: string }): Promise<OAuthTokens>;
  /** A new access token from a refresh token, for providers whose tokens expire. */
  refresh(config: AppConfig, refreshToken: string): Promise<OAuthTokens>;
  username(config: AppConfig, token: string): Promise<string>;
  repos(config: AppConfig, token: string): Promise<ProviderRepo[]>;
  branches(config: AppConfig, token: string, fullName: string): Promise<string[]>;
}

export function isGitProviderId(value: string): value is GitProviderId {
  return (GIT_PROVIDERS as readonly string[]).includes(value);
}
