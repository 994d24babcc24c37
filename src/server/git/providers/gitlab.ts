import { base, bearer, expiresAt, providerJson } from "./provider-http";
import type { AppConfig } from "../../config/config";
import type { GitProvider, OAuthTokens } from "./provider-types";

export const gitlab: GitProvider = {
  id: "gitlab",
  label: "GitLab",
  clientId: (c) => c.GITLAB_CLIENT_ID,
  clientSecret: (c) => c.GITLAB_CLIENT_SECRET,
  authorizeUrl(c, { state, redirectUri }) {
    const q = new URLSearchParams({ client_id: c.GITLAB_CLIENT_ID ?? "", redirect_uri: redirectUri, response_type: "code", scope: "read_api read_repository read_user", state });
    return `${base(c.GITLAB_URL)}/oauth/authorize?${q}`;
  },
  exchangeCode(c, { code, redirectUri }) {
    return tokenRequest(c, { code, grant_type: "authorization_code", redirect_uri: redirectUri });
  },
  refresh(c, refreshToken) {
    return tokenRequest(c, { refresh_token: refreshToken, grant_type: "refresh_token" });
  },
  async username(c, token) {
    return (await providerJson<{ username: string }>("GitLab", `${base(c.GITLAB_URL)}/api/v4/user`, { headers: bearer(token) })).username;
  },
  async repos(c, token) {
    const rows = await providerJson<{ path_with_namespace: string; http_url_to_repo: string; default_branch: string | null; visibility: string }[]>(
      "GitLab",
      `${base(c.GITLAB_URL)}/api/v4/projects?membership=true&per_page=100&order_by=last_activity_at&simple=true`,
      { headers: bearer(token) },
    );
    return rows.map((r) => ({ fullName: r.path_with_namespace, cloneUrl: r.http_url_to_repo, defaultBranch: r.default_branch ?? "main", private: r.visibility !== "public" }));
  },
  async branches(c, token, fullName) {
    const rows = await providerJson<{ name: string }[]>(
      "GitLab",
      `${base(c.GITLAB_URL)}/api/v4/projects/${encodeURIComponent(fullName)}/repository/branches?per_page=100`,
      { headers: bearer(token) },
    );
    return rows.map((b) => b.name);
  },
};

async function tokenRequest(c: AppConfig, grant: Record<string, string>): Promise<OAuthTokens> {
  const r = await providerJson<{ access_token?: string; refresh_token?: string; expires_in?: number; scope?: string }>(
    "GitLab",
    `${base(c.GITLAB_URL)}/oauth/token`,
    {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: c.GITLAB_CLIENT_ID ?? "", client_secret: c.GITLAB_CLIENT_SECRET ?? "", ...grant }),
    },
  );
  if (!r.access_token) throw new Error("GitLab did not return an access token");
  return { accessToken: r.access_token, refreshToken: r.refresh_token ?? null, expiresAt: expiresAt(r.expires_in), scopes: r.scope ?? "" };
}
