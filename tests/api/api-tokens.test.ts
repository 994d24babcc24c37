import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../../src/server/api-tokens/token-secret";
import { expectTrpcError, insertWorker, markDeployed, startAppHarness, type AppHarness } from "../apps/helpers/app-harness";
import { teamWithEveryRole, type TeamFixture } from "../teams/helpers/team-fixture";
import { api, mintToken } from "./helpers/api-client";

/**
 * API tokens (docs/api.md): created in sudo mode, shown once and stored as a hash; refused when
 * unknown, expired or revoked; limited to their scopes, their team and their owner's role now.
 */
describe("API tokens", () => {
  let h: AppHarness;
  let fx: TeamFixture;
  let appId: number;
  const appName = `tok-app-${Date.now() % 100000}`;

  beforeAll(async () => {
    h = await startAppHarness();
    fx = await teamWithEveryRole(h);
    ({ app: { id: appId } } = await fx.members.owner.caller.apps.create({ name: appName, repoUrl: "https://github.com/team/tok.git", deploy: true }));
    await markDeployed(h.services, appId, (await insertWorker(h.services)).id);
  });
  afterAll(async () => h.close());

  it("needs sudo mode to create, is shown once and stored only as its hash", async () => {
    const dev = fx.members.developer;
    dev.ctx.session!.reauthAt = null;
    await expectTrpcError(dev.caller.apiTokens.create({ name: "ci", teamId: fx.teamId, scopes: ["apps:read"], expiresInDays: 30 }), "FORBIDDEN", /confirm your password/);
    const token = await mintToken(dev, fx.teamId, ["apps:read"], 30, "ci");
    expect(token).toMatch(/^wh_[A-Za-z0-9_-]{43}$/);
    const row = await h.tdb.db.apiToken.findFirstOrThrow({ where: { userId: dev.id, name: "ci" } });
    expect(row.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    const listed = await dev.caller.apiTokens.list();
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(listed[0]).toMatchObject({ name: "ci", team: { id: fx.teamId }, scopes: ["apps:read"], revokedAt: null });
    expect(listed[0]!.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });

  it("refuses a scope the owner's role could never use, and a team the owner is not in", async () => {
    await expectTrpcError(mintToken(fx.members.viewer, fx.teamId, ["apps:deploy"]), "FORBIDDEN", /viewer.*apps:deploy/);
    await expectTrpcError(mintToken(fx.outsider, fx.teamId, ["apps:read"]), "NOT_FOUND");
  });

  it("GET /me and /apps answer for the token's team; last use and address are recorded and audited", async () => {
    const token = await mintToken(fx.members.developer, fx.teamId, ["apps:read"]);
    const me = await api(h, token, "GET", "/me");
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { id: fx.members.developer.id }, team: { id: fx.teamId, name: fx.teamName }, role: "developer", scopes: ["apps:read"], tokenExpiresAt: null });
    const apps = await api<{ apps: { id: number; name: string }[] }>(h, token, "GET", "/apps");
    expect(apps.status).toBe(200);
    expect(apps.body.apps.map((a) => a.name)).toContain(appName);
    const row = await h.tdb.db.apiToken.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } });
    expect(row.lastUsedAt).not.toBeNull();
    expect(row.lastUsedIp).toBe("127.0.0.1");
    const uses = await h.tdb.db.auditEvent.findMany({ where: { kind: "api_token_use", apiTokenId: row.id }, orderBy: { id: "asc" } });
    expect(uses.map((u) => (u.metadata as { route: string }).route)).toEqual(["/api/v1/me", "/api/v1/apps"]);
    expect(uses.every((u) => u.teamId === fx.teamId && u.userId === fx.members.developer.id)).toBe(true);
    // The team's audit page names who used the token.
    const audit = await fx.members.owner.caller.audit.team();
    expect(audit.events.find((e) => e.kind === "api_token_use")?.actor.id).toBe(fx.members.developer.id);
  });

  it("a missing, malformed, unknown, expired or revoked token is UNAUTHORIZED with what to do", async () => {
    for (const t of [null, "not-a-token", `wh_${"x".repeat(43)}`]) {
      const r = await api(h, t, "GET", "/me");
      expect(r.status).toBe(401);
      expect(r.body.error!.code).toBe("UNAUTHORIZED");
      expect(r.body.error!.message).toMatch(/Settings → API tokens/);
    }
    const expiring = await mintToken(fx.members.developer, fx.teamId, ["apps:read"], 1);
    await h.tdb.db.apiToken.update({ where: { tokenHash: hashToken(expiring) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await api(h, expiring, "GET", "/apps");
    expect([expired.status, expired.body.error!.code]).toEqual([401, "UNAUTHORIZED"]);
    expect(expired.body.error!.message).toMatch(/expired/);

    const revoking = await mintToken(fx.members.developer, fx.teamId, ["apps:read"]);
    expect((await api(h, revoking, "GET", "/apps")).status).toBe(200);
    const { id } = await h.tdb.db.apiToken.findUniqueOrThrow({ where: { tokenHash: hashToken(revoking) } });
    await fx.members.developer.caller.apiTokens.revoke({ id });
    const revoked = await api(h, revoking, "GET", "/apps");
    expect([revoked.status, revoked.body.error!.code]).toEqual([401, "UNAUTHORIZED"]);
    expect(revoked.body.error!.message).toMatch(/revoked/);
    // Someone else's token cannot be revoked by id.
    await expectTrpcError(fx.members.admin.caller.apiTokens.revoke({ id }), "NOT_FOUND");
  });

  it("a token beyond its scopes is FORBIDDEN naming the scope", async () => {
    const readOnly = await mintToken(fx.members.developer, fx.teamId, ["apps:read"]);
    const r = await api(h, readOnly, "POST", `/apps/${appName}/restart`);
    expect([r.status, r.body.error!.code]).toEqual([403, "FORBIDDEN"]);
    expect(r.body.error!.message).toMatch(/apps:deploy/);
  });

  it("another team's app is NOT_FOUND, by id and by name", async () => {
    const outsiderToken = await mintToken(fx.outsider, fx.outsider.team.id, ["admin"]);
    for (const ref of [String(appId), appName]) {
      const r = await api(h, outsiderToken, "GET", `/apps/${ref}`);
      expect([r.status, r.body.error!.code]).toEqual([404, "NOT_FOUND"]);
    }
    expect(((await api<{ apps: unknown[] }>(h, outsiderToken, "GET", "/apps")).body.apps)).toEqual([]);
  });

  it("never exceeds its owner's current role: a demotion or a removal takes effect on the next request", async () => {
    const member = await h.user();
    await h.tdb.db.teamMember.create({ data: { teamId: fx.teamId, userId: member.id, role: "developer" } });
    const token = await mintToken(member, fx.teamId, ["apps:read", "apps:deploy"]);
    const before = await api(h, token, "POST", `/apps/${appName}/stop`);
    expect(before.status, JSON.stringify(before.body)).toBe(200);

    await fx.members.owner.caller.teams.changeRole({ userId: member.id, role: "viewer" });
    const demoted = await api(h, token, "POST", `/apps/${appName}/start`);
    expect([demoted.status, demoted.body.error!.code]).toEqual([403, "FORBIDDEN"]);
    expect(demoted.body.error!.message).toMatch(/viewer/);
    expect((await api(h, token, "GET", "/me")).body).toMatchObject({ role: "viewer" });

    await fx.members.owner.caller.teams.removeMember({ userId: member.id });
    const removed = await api(h, token, "GET", "/apps");
    expect([removed.status, removed.body.error!.code]).toEqual([403, "FORBIDDEN"]);
    expect(removed.body.error!.message).toMatch(/no longer a member/);
  });

  it("is rate limited per token with Retry-After", async () => {
    const token = await mintToken(fx.members.viewer, fx.teamId, ["apps:read"]);
    const rule = { rateLimit: { limit: 3, windowSeconds: 60 } };
    for (let i = 0; i < 3; i++) expect((await api(h, token, "GET", "/me", undefined, rule)).status).toBe(200);
    const limited = await api(h, token, "GET", "/me", undefined, rule);
    expect([limited.status, limited.body.error!.code]).toEqual([429, "RATE_LIMITED"]);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another token is counted on its own.
    const other = await mintToken(fx.members.viewer, fx.teamId, ["apps:read"]);
    expect((await api(h, other, "GET", "/me", undefined, rule)).status).toBe(200);
  });
});
