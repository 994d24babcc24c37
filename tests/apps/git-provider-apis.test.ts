import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cipherContext } from "../../src/server/crypto/secret-cipher";
import { connectCallback, connectRedirect } from "../../src/server/git/oauth-connect-http";
import { actorFor } from "../../src/server/auth/actor";
import { startAppHarness, type AppHarness, type TestUser } from "./helpers/app-harness";

/**
 * GitLab, Bitbucket and Codeberg (Forgejo) as local HTTP servers answering with each vendor's
 * documented shapes, so the mapping to repositories and branches is checked per vendor.
 */
async function startVendors() {
  const requests: { path: string; auth: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      requests.push({ path: url.pathname + url.search, auth: req.headers.authorization ?? "", body });
      const json = (value: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(value));
      const routes: Record<string, unknown> = {
        "/gitlab/oauth/token": { access_token: "gl-token", refresh_token: "gl-refresh", expires_in: 7200, scope: "read_api" },
        "/gitlab/api/v4/user": { username: "gl-user" },
        "/gitlab/api/v4/projects": [{ path_with_namespace: "group/sub/app", http_url_to_repo: "https://gitlab.example/group/sub/app.git", default_branch: null, visibility: "private" }],
        "/gitlab/api/v4/projects/group%2Fsub%2Fapp/repository/branches": [{ name: "main" }, { name: "dev" }],
        "/bb/site/oauth2/access_token": { access_token: "bb-token", refresh_token: "bb-refresh", expires_in: 7200, scopes: "repository" },
        "/bbapi/2.0/user": { username: "bb-user" },
        "/bbapi/2.0/repositories": {
          values: [{ full_name: "team/site", is_private: true, mainbranch: { name: "trunk" }, links: { clone: [{ name: "https", href: "https://bb-user@bitbucket.example/team/site.git" }, { name: "ssh", href: "git@bitbucket.example:team/site.git" }] } }],
        },
        "/bbapi/2.0/repositories/team/site/refs/branches": { values: [{ name: "trunk" }] },
        "/cb/api/v1/user": { login: "cb-user" },
        "/cb/api/v1/user/repos": [{ full_name: "me/blog", clone_url: "https://codeberg.example/me/blog.git", default_branch: "pages", private: false }],
        "/cb/api/v1/repos/me/blog/branches": [{ name: "pages" }],
      };
      const hit = routes[url.pathname];
      if (hit === undefined) return res.writeHead(404).end("{}");
      json(hit);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("git provider APIs per vendor", () => {
  let v: Awaited<ReturnType<typeof startVendors>>;
  let h: AppHarness;
  let u: TestUser;

  beforeAll(async () => {
    v = await startVendors();
    h = await startAppHarness({
      GITLAB_CLIENT_ID: "gl-id", GITLAB_CLIENT_SECRET: "gl-secret", GITLAB_URL: `${v.url}/gitlab`,
      BITBUCKET_CLIENT_ID: "bb-id", BITBUCKET_CLIENT_SECRET: "bb-secret", BITBUCKET_URL: `${v.url}/bb`, BITBUCKET_API_URL: `${v.url}/bbapi`,
      CODEBERG_CLIENT_ID: "cb-id", CODEBERG_CLIENT_SECRET: "cb-secret", CODEBERG_URL: `${v.url}/cb`,
    });
    u = await h.user("pro");
  });
  afterAll(async () => {
    await h.close();
    await v.close();
  });

  async function connect(provider: "gitlab" | "bitbucket") {
    const actor = actorFor({ user: u.ctx.user!, session: u.ctx.session!, team: u.team }, u.ctx.request);
    const begin = connectRedirect(h.services, actor, { provider });
    const state = new URL(begin.headers.get("location")!).searchParams.get("state")!;
    const nonce = /=([^;]+)/.exec(begin.headers.get("set-cookie")!)![1]!;
    const done = await connectCallback(h.services, actor, { provider, request: new Request(`http://x/api/git/callback/${provider}?code=abc&state=${encodeURIComponent(state)}`, { headers: { cookie: `wh_git_oauth_${provider}=${nonce}` } }) });
    expect(done.headers.get("location")).toMatch(new RegExp(`connected=${provider}`));
  }

  it("GitLab: code exchanged with the client secret, subgroup paths encoded, null default branch → main", async () => {
    await connect("gitlab");
    const exchange = v.requests.find((r) => r.path === "/gitlab/oauth/token")!;
    expect(new URLSearchParams(exchange.body).get("client_secret")).toBe("gl-secret");
    expect(await u.caller.gitProviders.repos({ provider: "gitlab" })).toEqual([
      { fullName: "group/sub/app", cloneUrl: "https://gitlab.example/group/sub/app.git", defaultBranch: "main", private: true },
    ]);
    expect(await u.caller.gitProviders.branches({ provider: "gitlab", repo: "group/sub/app" })).toEqual(["main", "dev"]);
    expect(v.requests.filter((r) => r.path.startsWith("/gitlab/api")).every((r) => r.auth === "Bearer gl-token")).toBe(true);
    const row = await h.tdb.db.gitProviderToken.findFirstOrThrow({ where: { userId: u.id, provider: "gitlab" } });
    expect(row.username).toBe("gl-user");
    expect(row.expiresAt).not.toBeNull();
  });

  it("Bitbucket: Basic client auth on the token endpoint; the user name is stripped from clone URLs", async () => {
    await connect("bitbucket");
    const exchange = v.requests.find((r) => r.path === "/bb/site/oauth2/access_token")!;
    expect(exchange.auth).toBe(`Basic ${Buffer.from("bb-id:bb-secret").toString("base64")}`);
    const repos = await u.caller.gitProviders.repos({ provider: "bitbucket" });
    expect(repos).toEqual([{ fullName: "team/site", cloneUrl: "https://bitbucket.example/team/site.git", defaultBranch: "trunk", private: true }]);
    // The picked URL is one apps.create accepts (no credentials in it).
    const { app } = await u.caller.apps.create({ repoUrl: repos[0]!.cloneUrl, branch: "trunk" });
    expect(app.repoUrl).toBe("https://bitbucket.example/team/site.git");
    expect(await u.caller.gitProviders.branches({ provider: "bitbucket", repo: "team/site" })).toEqual(["trunk"]);
  });

  it("Codeberg: repositories and branches of the connected account", async () => {
    await h.tdb.db.gitProviderToken.create({
      data: { userId: u.id, teamId: u.team.id, provider: "codeberg", username: "cb-user", token: h.services.cipher.encrypt("cb-token", cipherContext.gitToken(u.id, "codeberg")) },
    });
    expect(await u.caller.gitProviders.repos({ provider: "codeberg" })).toEqual([
      { fullName: "me/blog", cloneUrl: "https://codeberg.example/me/blog.git", defaultBranch: "pages", private: false },
    ]);
    expect(await u.caller.gitProviders.branches({ provider: "codeberg", repo: "me/blog" })).toEqual(["pages"]);
    expect(v.requests.filter((r) => r.path.startsWith("/cb/api")).every((r) => r.auth === "Bearer cb-token")).toBe(true);
  });
});
