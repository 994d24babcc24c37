import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cipherContext } from "../../src/server/crypto/secret-cipher";
import { connectCallback, connectRedirect } from "../../src/server/git/oauth-connect-http";
import { actorFor } from "../../src/server/auth/actor";
import { expectTrpcError, startAppHarness, type AppHarness, type TestUser } from "./helpers/app-harness";

/** A local HTTP server speaking GitHub's OAuth and REST endpoints, as a real GitHub would answer. */
async function startGithubLike() {
  const seen: { tokenRequests: unknown[]; authHeaders: string[]; usedRefresh: string[] } = { tokenRequests: [], authHeaders: [], usedRefresh: [] };
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
        const body = JSON.parse(raw);
        seen.tokenRequests.push(body);
        if (body.grant_type === "refresh_token") {
          // Rotating refresh tokens, as GitHub issues for expiring user tokens: each works once.
          if (body.refresh_token !== "ghr_refresh1" || body.client_secret !== "gh-secret") return json(200, { error: "bad_refresh_token", error_description: "The refresh token is invalid" });
          seen.usedRefresh.push(body.refresh_token);
          return json(200, { access_token: "gho_realtoken123", refresh_token: "ghr_refresh2", expires_in: 28_800, scope: "repo" });
        }
        if (body.code !== "good-code" || body.client_secret !== "gh-secret") return json(200, { error: "bad_verification_code", error_description: "The code is incorrect" });
        return json(200, { access_token: "gho_realtoken123", scope: "repo,read:user", token_type: "bearer" });
      }
      seen.authHeaders.push(req.headers.authorization ?? "");
      if (req.headers.authorization !== "Bearer gho_realtoken123") return json(401, { message: "Bad credentials" });
      if (url.pathname === "/api/user") return json(200, { login: "octo-dev" });
      if (url.pathname === "/api/user/repos") {
        return json(200, [{ full_name: "octo-dev/shop", clone_url: "https://github.com/octo-dev/shop.git", default_branch: "main", private: true }]);
      }
      if (url.pathname === "/api/repos/octo-dev/shop/branches") return json(200, [{ name: "main" }, { name: "staging" }]);
      json(404, { message: "Not Found" });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The message the callback put in the redirect to the connections page. */
const errorOf = (res: Response) => new URL(res.headers.get("location")!).searchParams.get("error") ?? "";

describe("git providers", () => {
  let gh: Awaited<ReturnType<typeof startGithubLike>>;
  let h: AppHarness;
  let u: TestUser;

  beforeAll(async () => {
    gh = await startGithubLike();
    h = await startAppHarness({
      GITHUB_CLIENT_ID: "gh-client",
      GITHUB_CLIENT_SECRET: "gh-secret",
      GITHUB_URL: gh.url,
      GITHUB_API_URL: `${gh.url}/api`,
      GITLAB_CLIENT_ID: "gl-client",
      GITLAB_CLIENT_SECRET: "gl-secret",
    });
    u = await h.user("pro");
  });
  afterAll(async () => {
    await h.close();
    await gh.close();
  });

  const actor = () => actorFor({ user: u.ctx.user!, session: u.ctx.session!, team: u.team }, u.ctx.request);

  async function begin(provider = "github") {
    const res = connectRedirect(h.services, actor(), { provider });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    const cookie = res.headers.get("set-cookie")!;
    return { location, cookie, nonce: /wh_git_oauth_[a-z]+=([^;]+)/.exec(cookie)![1]!, state: location.searchParams.get("state")! };
  }

  function callback(query: Record<string, string>, nonce?: string, provider = "github") {
    const req = new Request(`http://127.0.0.1:3999/api/git/callback/${provider}?${new URLSearchParams(query)}`, {
      headers: nonce ? { cookie: `wh_git_oauth_${provider}=${nonce}` } : {},
    });
    return connectCallback(h.services, actor(), { provider, request: req });
  }

  it("lists the four providers with configured/connected flags", async () => {
    const list = await u.caller.gitProviders.list();
    expect(list.map((p) => [p.id, p.configured, p.connected])).toEqual([
      ["github", true, false],
      ["gitlab", true, false],
      ["bitbucket", false, false],
      ["codeberg", false, false],
    ]);
  });

  it("builds each provider's authorize URL with a signed state and an HttpOnly nonce cookie", async () => {
    const { location, cookie } = await begin();
    expect(location.origin + location.pathname).toBe(`${gh.url}/login/oauth/authorize`);
    expect(location.searchParams.get("client_id")).toBe("gh-client");
    expect(location.searchParams.get("redirect_uri")).toBe("http://127.0.0.1:3999/api/git/callback/github");
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Path=\/api\/git/);
    const gl = await begin("gitlab");
    expect(gl.location.toString()).toMatch(/^https:\/\/gitlab\.com\/oauth\/authorize\?client_id=gl-client/);
    const bb = connectRedirect(h.services, actor(), { provider: "bitbucket" });
    expect(bb.headers.get("location")).toMatch(/\/apps\/git\?error=/);
    expect(errorOf(bb)).toMatch(/Bitbucket is not set up/);
    expect(connectRedirect(h.services, null, { provider: "github" }).headers.get("location")).toMatch(/\/sign-in\?next=/);
  });

  it("refuses a callback without the browser's nonce, with a forged state, or with a bad code", async () => {
    const { state, nonce } = await begin();
    const noCookie = await callback({ code: "good-code", state });
    expect(errorOf(noCookie)).toMatch(/could not be confirmed/);
    const forged = await callback({ code: "good-code", state: state.replace(/.$/, (c) => (c === "A" ? "B" : "A")) }, nonce);
    expect(errorOf(forged)).toMatch(/could not be confirmed/);
    const other = await h.user("pro");
    const otherActor = actorFor({ user: other.ctx.user!, session: other.ctx.session!, team: other.team }, other.ctx.request);
    const stolen = await connectCallback(h.services, otherActor, { provider: "github", request: new Request(`http://x/api/git/callback/github?code=good-code&state=${state}`, { headers: { cookie: `wh_git_oauth_github=${nonce}` } }) });
    expect(errorOf(stolen)).toMatch(/could not be confirmed/);
    const badCode = await callback({ code: "bad-code", state }, nonce);
    expect(errorOf(badCode)).toMatch(/did not accept the sign-in: The code is incorrect/);
    expect(await h.tdb.db.gitProviderToken.count()).toBe(0);
  });

  it("connects: token encrypted and bound to user+provider, username stored, audited; repos and branches listed", async () => {
    const { state, nonce } = await begin();
    const res = await callback({ code: "good-code", state }, nonce);
    expect(res.headers.get("location")).toBe("http://127.0.0.1:3999/apps/git?connected=github");
    const row = await h.tdb.db.gitProviderToken.findFirstOrThrow({ where: { userId: u.id } });
    expect(row).toMatchObject({ provider: "github", username: "octo-dev", scopes: "repo,read:user" });
    expect(row.token).not.toContain("gho_realtoken123");
    expect(h.services.cipher.decrypt(row.token, cipherContext.gitToken(u.id, "github"))).toBe("gho_realtoken123");
    expect(await h.tdb.db.auditEvent.count({ where: { userId: u.id, kind: "git_token_connect" } })).toBe(1);

    expect(await u.caller.gitProviders.repos({ provider: "github" })).toEqual([
      { fullName: "octo-dev/shop", cloneUrl: "https://github.com/octo-dev/shop.git", defaultBranch: "main", private: true },
    ]);
    expect(await u.caller.gitProviders.branches({ provider: "github", repo: "octo-dev/shop" })).toEqual(["main", "staging"]);
    await expectTrpcError(u.caller.gitProviders.branches({ provider: "github", repo: "../../admin" }), "BAD_REQUEST");
    await expectTrpcError(u.caller.gitProviders.repos({ provider: "gitlab" }), "PRECONDITION_FAILED", /Connect GitLab first/);
  });

  it("revokes: the token row is deleted and the revoke audited; another user sees nothing", async () => {
    const other = await h.user("pro");
    await expectTrpcError(other.caller.gitProviders.revoke({ provider: "github" }), "NOT_FOUND");
    await expectTrpcError(other.caller.gitProviders.repos({ provider: "github" }), "PRECONDITION_FAILED");
    await u.caller.gitProviders.revoke({ provider: "github" });
    expect(await h.tdb.db.gitProviderToken.count({ where: { userId: u.id } })).toBe(0);
    expect(await h.tdb.db.auditEvent.count({ where: { userId: u.id, kind: "git_token_revoke" } })).toBe(1);
  });

  it("a token the provider no longer accepts yields a reconnect message", async () => {
    await h.tdb.db.gitProviderToken.create({
      data: { userId: u.id, teamId: u.team.id, provider: "github", username: "octo-dev", token: h.services.cipher.encrypt("revoked-token", cipherContext.gitToken(u.id, "github")) },
    });
    await expectTrpcError(u.caller.gitProviders.repos({ provider: "github" }), "PRECONDITION_FAILED", /Disconnect and connect GitHub again/);
  });

  it("renews an expired token once with its refresh token, even under concurrent requests", async () => {
    await h.tdb.db.gitProviderToken.deleteMany({ where: { userId: u.id } });
    const ctx = cipherContext.gitToken(u.id, "github");
    await h.tdb.db.gitProviderToken.create({
      data: {
        userId: u.id,
        teamId: u.team.id,
        provider: "github",
        username: "octo-dev",
        token: h.services.cipher.encrypt("expired-token", ctx),
        refreshToken: h.services.cipher.encrypt("ghr_refresh1", `${ctx}:refresh`),
        expiresAt: new Date(Date.now() - 1_000),
      },
    });
    const results = await Promise.all([1, 2, 3].map(() => u.caller.gitProviders.repos({ provider: "github" })));
    expect(results.every((r) => r[0]?.fullName === "octo-dev/shop")).toBe(true);
    expect(gh.seen.usedRefresh).toEqual(["ghr_refresh1"]);
    const row = await h.tdb.db.gitProviderToken.findFirstOrThrow({ where: { userId: u.id } });
    expect(row.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_600_000);
    expect(h.services.cipher.decrypt(row.refreshToken!, `${ctx}:refresh`)).toBe("ghr_refresh2");

    await h.tdb.db.gitProviderToken.update({ where: { id: row.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    await expectTrpcError(u.caller.gitProviders.repos({ provider: "github" }), "PRECONDITION_FAILED", /refused to renew/);
  });
});
