import { base, bearer, expiresAt, providerJson } from "./provider-http";
import type { AppConfig } from "../../config/config";
import type { GitProvider, OAuthTokens } from "./provider-types";

export const github: GitProvider = {
  id: "github",
  label: "GitHub",
  clientId: (c) => c.GITHUB_CLIENT_ID,
  clientSecret: (c) => c.GITHUB_CLIENT_SECRET,
  authorizeUrl(c, { state, redirectUri }) {
    const q = new URLSearchParams({ client_id: c.GITHUB_CLIENT_ID ?? "", redirect_uri: redirectUri, scope: "repo read:user", state, allow_signup: "false" });
    return `${base(c.GITHUB_URL)}/login/oauth/authorize?${q}`;
  },
  exchangeCode(c, { code, redirectUri }) {
    return tokenRequest(c, { code, redirect_uri: redirectUri });
  },
  refresh(c, refreshToken) {
    return tokenRequest(c, { grant_type: "refresh_token", refresh_token: refreshToken });
  },
  async username(c, token) {
    return (await providerJson<{ login: string }>("GitHub", `${base(c.GITHUB_API_URL)}/user`, { headers: bearer(token) })).login;
  },
  async repos(c, token) {
    const rows = await providerJson<{ full_name: string; clone_url: string; default_branch: string; private: boolean }[]>(
      "GitHub",
      `${base(c.GITHUB_API_URL)}/user/repos?per_page=100&sort=updated`,
      { headers: bearer(token) },
    );
    return rows.map((r) => ({ fullName: r.full_name, cloneUrl: r.clone_url, defaultBranch: r.default_branch, private: r.private }));
  },
  async branches(c, token, fullName) {
    const rows = await providerJson<{ name: string }[]>("GitHub", `${base(c.GITHUB_API_URL)}/repos/${fullName}/branches?per_page=100`, { headers: bearer(token) });
    return rows.map((b) => b.name);
  },
};

async function tokenRequest(c: AppConfig, grant: Record<string, string>): Promise<OAuthTokens> {
  const r = await providerJson<{ access_token?: string; refresh_token?: string; expires_in?: number; scope?: string; error_description?: string }>(
    "GitHub",
    `${base(c.GITHUB_URL)}/login/oauth/access_token`,
    {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_id: c.GITHUB_CLIENT_ID, client_secret: c.GITHUB_CLIENT_SECRET, ...grant }),
    },
  );
  if (!r.access_token) throw new Error(r.error_description ?? "GitHub did not return an access token");
  return { accessToken: r.access_token, refreshToken: r.refresh_token ?? null, expiresAt: expiresAt(r.expires_in), scopes: r.scope ?? "" };
}
