import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROCEDURE_SCOPES, scopeForProcedure, TOKEN_SCOPE_NAMES, type TokenScope } from "../../src/server/api-tokens/scopes";
import { API_ROUTES } from "../../src/server/public-api/routes";
import { accessFor } from "../../src/server/teams/procedure-access";
import { ROLE_PERMISSIONS, TEAM_ROLES } from "../../src/server/teams/roles";
import { appRouter } from "../../src/server/trpc/root";
import { startAppHarness, type AppHarness } from "../apps/helpers/app-harness";
import { teamWithEveryRole, type TeamFixture } from "../teams/helpers/team-fixture";
import { api, mintToken } from "./helpers/api-client";

/**
 * Every /api/v1 route × (anonymous, outsider, viewer, developer, admin, owner), from the route
 * list itself (src/server/public-api/routes.ts): a route's row is its first procedure's rows in
 * src/server/teams/procedure-access.ts (role) and src/server/api-tokens/scopes.ts (scope), so a
 * route added without them fails here. Members aim at an app that does not exist, so an allowed
 * call answers 400/404 and changes nothing; a refused one is 403 before any input is read.
 */
const procedures = (appRouter as unknown as { _def: { procedures: Record<string, unknown> } })._def.procedures;
const label = (r: (typeof API_ROUTES)[number]) => `${r.method} ${r.path}`;

function concrete(path: string, app: string, deploymentId: number): string {
  return path.replace("{app}", encodeURIComponent(app)).replace("{id}", String(deploymentId)).replace("{key}", "SOME_KEY").replace("{host}", "x.example.com");
}

describe("API role matrix", () => {
  let h: AppHarness;
  let fx: TeamFixture;
  let appName: string;
  let deploymentId: number;
  const tokens = {} as Record<(typeof TEAM_ROLES)[number] | "outsider", string>;

  beforeAll(async () => {
    h = await startAppHarness();
    fx = await teamWithEveryRole(h);
    appName = `matrix-api-${Date.now() % 100000}`;
    const { deployment } = await fx.members.owner.caller.apps.create({ name: appName, repoUrl: "https://github.com/team/m.git", deploy: true });
    deploymentId = deployment!.id;
    for (const role of TEAM_ROLES) tokens[role] = await mintToken(fx.members[role], fx.teamId, ["admin"]);
    tokens.outsider = await mintToken(fx.outsider, fx.outsider.team.id, ["admin"]);
  });
  afterAll(async () => h.close());

  it("every route has a row: its procedure exists, has a role row and a scope row", () => {
    const wrong: string[] = [];
    for (const r of API_ROUTES) {
      for (const p of r.procedures) if (!(p in procedures)) wrong.push(`${label(r)}: ${p} is not a procedure`);
      const p = r.procedures[0];
      if (accessFor(p) === undefined) wrong.push(`${label(r)}: ${p} has no row in procedure-access.ts`);
      if (!Object.hasOwn(PROCEDURE_SCOPES, p)) wrong.push(`${label(r)}: ${p} has no row in PROCEDURE_SCOPES (src/server/api-tokens/scopes.ts)`);
    }
    expect(wrong).toEqual([]);
    expect(new Set(API_ROUTES.map(label)).size).toBe(API_ROUTES.length);
  });

  it("anonymous callers get 401 UNAUTHORIZED from every route", async () => {
    const wrong: string[] = [];
    for (const r of API_ROUTES) {
      const res = await api(h, null, r.method, concrete(r.path, appName, deploymentId), r.body ? {} : undefined);
      if (res.status !== 401 || res.body.error?.code !== "UNAUTHORIZED") wrong.push(`${label(r)}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it("each role gets 403 exactly where the matrix says, and passes the check elsewhere", async () => {
    const wrong: string[] = [];
    for (const r of API_ROUTES) {
      const access = accessFor(r.procedures[0])!;
      for (const role of TEAM_ROLES) {
        const allowed = access === "signed-in" || access === "public" || (access !== "platform-admin" && ROLE_PERMISSIONS[role].has(access));
        const res = await api(h, tokens[role], r.method, concrete(r.path, "no-such-app", 999_999), r.body ? {} : undefined);
        const ok = allowed ? ![401, 403].includes(res.status) : res.status === 403 && res.body.error?.code === "FORBIDDEN";
        if (!ok) wrong.push(`${label(r)} as ${role}: ${res.status} ${res.body.error?.code ?? ""} (matrix: ${allowed ? "allowed" : "refused"})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("a token needs the route's scope: the scope alone passes, every other scope is refused", async () => {
    const wrong: string[] = [];
    const byScope = new Map<TokenScope, string>();
    for (const s of TOKEN_SCOPE_NAMES) if (s !== "admin") byScope.set(s, await mintToken(fx.members.owner, fx.teamId, [s]));
    for (const r of API_ROUTES) {
      const needed = scopeForProcedure(r.procedures[0]);
      for (const [scope, token] of byScope) {
        const res = await api(h, token, r.method, concrete(r.path, "no-such-app", 999_999), r.body ? {} : undefined);
        const allowed = needed === "any" || needed === scope;
        if (allowed === (res.status === 403)) wrong.push(`${label(r)} with ${scope}: ${res.status} (needs ${needed})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("the outsider finds nothing of the team: its app and deployment are 404, its list is its own", async () => {
    const wrong: string[] = [];
    for (const r of API_ROUTES.filter((r) => r.path.includes("{app}") || r.path.includes("{id}"))) {
      const res = await api(h, tokens.outsider, r.method, concrete(r.path, appName, deploymentId), r.body ? {} : undefined);
      // A body route may answer 400 for the empty body first; it never reaches the app.
      if (![404, 400].includes(res.status)) wrong.push(`${label(r)}: ${res.status}`);
      if (res.status === 400 && !r.body) wrong.push(`${label(r)}: 400 without a body`);
    }
    expect(wrong).toEqual([]);
    const apps = await api<{ apps: { name: string }[] }>(h, tokens.outsider, "GET", "/apps");
    expect(apps.body.apps.map((a) => a.name)).not.toContain(appName);
    const me = await api<{ team: { id: number } }>(h, tokens.outsider, "GET", "/me");
    expect(me.body.team.id).toBe(fx.outsider.team.id);
    // Members see the app by name.
    for (const role of TEAM_ROLES) expect((await api(h, tokens[role], "GET", `/apps/${appName}`)).status).toBe(200);
  });

  it("a viewer is refused every mutating route", async () => {
    const mutating = API_ROUTES.filter((r) => r.method !== "GET");
    expect(mutating.length).toBeGreaterThanOrEqual(10);
    const codes = await Promise.all(mutating.map(async (r) => [label(r), (await api(h, tokens.viewer, r.method, concrete(r.path, appName, deploymentId), r.body ? {} : undefined)).status] as const));
    expect(codes.filter(([, s]) => s !== 403)).toEqual([]);
  });
});
