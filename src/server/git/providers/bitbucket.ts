import { base, bearer, expiresAt, providerJson } from "./provider-http";
import type { AppConfig } from "../../config/config";
import type { GitProvider, OAuthTokens } from "./provider-types";

/** Bitbucket puts the user name into clone URLs (https://user@bitbucket.org/…); apps store it without. */
function withoutUser(href: string): string {
  try {
    const u = new URL(href);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return href;
  }
}

export const bitbucket: GitProvider = {
  id: "bitbucket",
  label: "Bitbucket",
  clientId: (c) => c.BITBUCKET_CLIENT_ID,
  clientSecret: (c) => c.BITBUCKET_CLIENT_SECRET,
  authorizeUrl(c, { state }) {
    const q = new URLSearchParams({ client_id: c.BITBUCKET_CLIENT_ID ?? "", response_type: "code", state });
    return `${base(c.BITBUCKET_URL)}/site/oauth2/authorize?${q}`;
  },
  exchangeCode(c, { code }) {
    return tokenRequest(c, { grant_type: "authorization_code", code });
  },
  refresh(c, refreshToken) {
    return tokenRequest(c, { grant_type: "refresh_token", refresh_token: refreshToken });
  },
  async username(c, token) {
    const u = await providerJson<{ username?: string; nickname?: string }>("Bitbucket", `${base(c.BITBUCKET_API_URL)}/2.0/user`, { headers: bearer(token) });
    return u.username ?? u.nickname ?? "";
  },
  async repos(c, token) {
    const page = await providerJson<{
      values: { full_name: string; is_private: boolean; mainbranch?: { name: string } | null; links: { clone?: { name: string; href: string }[] } }[];
    }>("Bitbucket", `${base(c.BITBUCKET_API_URL)}/2.0/repositories?role=member&pagelen=100&sort=-updated_on`, { headers: bearer(token) });
    return page.values.map((r) => ({
      fullName: r.full_name,
      cloneUrl: withoutUser(r.links.clone?.find((l) => l.name === "https")?.href ?? `${base(c.BITBUCKET_URL)}/${r.full_name}.git`),
      defaultBranch: r.mainbranch?.name ?? "main",
      private: r.is_private,
    }));
  },
  async branches(c, token, fullName) {
    const page = await providerJson<{ values: { name: string }[] }>(
      "Bitbucket",
      `${base(c.BITBUCKET_API_URL)}/2.0/repositories/${fullName}/refs/branches?pagelen=100`,
      { headers: bearer(token) },
    );
    return page.values.map((b) => b.name);
  },
};

async function tokenRequest(c: AppConfig, grant: Record<string, string>): Promise<OAuthTokens> {
  const basic = Buffer.from(`${c.BITBUCKET_CLIENT_ID ?? ""}:${c.BITBUCKET_CLIENT_SECRET ?? ""}`).toString("base64");
  const r = await providerJson<{ access_token?: string; refresh_token?: string; expires_in?: number; scopes?: string }>(
    "Bitbucket",
    `${base(c.BITBUCKET_URL)}/site/oauth2/access_token`,
    {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${basic}` },
      body: new URLSearchParams(grant),
    },
  );
  if (!r.access_token) throw new Error("Bitbucket did not return an access token");
  return { accessToken: r.access_token, refreshToken: r.refresh_token ?? null, expiresAt: expiresAt(r.expires_in), scopes: r.scopes ?? "" };
}
