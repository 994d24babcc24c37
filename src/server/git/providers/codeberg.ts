import { base, bearer, expiresAt, providerJson } from "./provider-http";
import type { AppConfig } from "../../config/config";
import type { GitProvider, OAuthTokens } from "./provider-types";

/** Codeberg runs Forgejo; the same code serves any Gitea/Forgejo instance via CODEBERG_URL. */
export const codeberg: GitProvider = {
  id: "codeberg",
  label: "Codeberg",
  clientId: (c) => c.CODEBERG_CLIENT_ID,
  clientSecret: (c) => c.CODEBERG_CLIENT_SECRET,
  authorizeUrl(c, { state, redirectUri }) {
    const q = new URLSearchParams({ client_id: c.CODEBERG_CLIENT_ID ?? "", redirect_uri: redirectUri, response_type: "code", state });
    return `${base(c.CODEBERG_URL)}/login/oauth/authorize?${q}`;
  },
  exchangeCode(c, { code, redirectUri }) {
    return tokenRequest(c, { code, grant_type: "authorization_code", redirect_uri: redirectUri });
  },
  refresh(c, refreshToken) {
    return tokenRequest(c, { refresh_token: refreshToken, grant_type: "refresh_token" });
  },
  async username(c, token) {
    return (await providerJson<{ login: string }>("Codeberg", `${base(c.CODEBERG_URL)}/api/v1/user`, { headers: bearer(token) })).login;
  },
  async repos(c, token) {
    const rows = await providerJson<{ full_name: string; clone_url: string; default_branch: string; private: boolean }[]>(
      "Codeberg",
      `${base(c.CODEBERG_URL)}/api/v1/user/repos?limit=50`,
      { headers: bearer(token) },
    );
    return rows.map((r) => ({ fullName: r.full_name, cloneUrl: r.clone_url, defaultBranch: r.default_branch, private: r.private }));
  },
  async branches(c, token, fullName) {
    const rows = await providerJson<{ name: string }[]>("Codeberg", `${base(c.CODEBERG_URL)}/api/v1/repos/${fullName}/branches?limit=50`, { headers: bearer(token) });
    return rows.map((b) => b.name);
  },
};

async function tokenRequest(c: AppConfig, grant: Record<string, string>): Promise<OAuthTokens> {
  const r = await providerJson<{ access_token?: string; refresh_token?: string; expires_in?: number }>(
    "Codeberg",
    `${base(c.CODEBERG_URL)}/login/oauth/access_token`,
    {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_id: c.CODEBERG_CLIENT_ID, client_secret: c.CODEBERG_CLIENT_SECRET, ...grant }),
    },
  );
  if (!r.access_token) throw new Error("Codeberg did not return an access token");
  return { accessToken: r.access_token, refreshToken: r.refresh_token ?? null, expiresAt: expiresAt(r.expires_in), scopes: "" };
}
