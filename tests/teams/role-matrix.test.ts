import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeProcedure } from "../../src/server/teams/authorize";
import { accessFor, PROCEDURE_ACCESS } from "../../src/server/teams/procedure-access";
import { PERMISSIONS, ROLE_PERMISSIONS, TEAM_ROLES, type TeamRole } from "../../src/server/teams/roles";
import { appRouter } from "../../src/server/trpc/root";
import { startAppHarness, type AppHarness, type Caller } from "../apps/helpers/app-harness";
import { teamWithEveryRole, type TeamFixture } from "./helpers/team-fixture";

/**
 * Every tRPC procedure × (anonymous, outsider, viewer, developer, admin, owner) against the role
 * matrix (src/server/teams/roles.ts, src/server/teams/procedure-access.ts, docs/teams.md). The
 * procedure list comes from the router itself: a procedure added without a row fails here.
 */
type ProcDef = { type: "query" | "mutation" | "subscription"; inputs: unknown[] };
const procedures = (appRouter as unknown as { _def: { procedures: Record<string, { _def: ProcDef }> } })._def.procedures;
const paths = Object.keys(procedures).sort();

/** Calls a procedure by its path; a subscription's first event is awaited and the stream closed. */
async function call(caller: Caller, path: string, input: unknown): Promise<unknown> {
  const [ns, name] = path.split(".") as [string, string];
  const fn = (caller as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>)[ns]![name]!;
  const result = await fn(input);
  if (procedures[path]!._def.type === "subscription") {
    const it = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    await it.return?.(undefined);
  }
  return result;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (err) {
    return (err as { code?: string }).code ?? `THREW ${(err as Error).message}`;
  }
}

/** Input no procedure accepts: a role the middleware lets through gets BAD_REQUEST, never a side effect. */
const UNPARSEABLE = "not-an-input-object";

describe("role matrix", () => {
  let h: AppHarness;
  let fx: TeamFixture;

  beforeAll(async () => {
    // Webhook endpoints on loopback are allowed here, so creating one needs no DNS.
    h = await startAppHarness({ WEBHOOK_ALLOW_CIDRS: "127.0.0.0/8" });
    fx = await teamWithEveryRole(h);
  });
  afterAll(async () => h.close());

  it("every procedure of the router has a row, and every row names a procedure", () => {
    const missing = paths.filter((p) => accessFor(p) === undefined);
    expect(missing, `add these to src/server/teams/procedure-access.ts: ${missing.join(", ")}`).toEqual([]);
    const stale = Object.keys(PROCEDURE_ACCESS).filter((p) => !paths.includes(p));
    expect(stale, "rows for procedures that no longer exist").toEqual([]);
  });

  it("docs/teams.md shows the same matrix as src/server/teams/roles.ts", () => {
    const doc = readFileSync("docs/teams.md", "utf8");
    for (const permission of Object.keys(PERMISSIONS)) {
      const row = doc.split("\n").find((l) => l.startsWith(`| ${permission} |`));
      expect(row, `docs/teams.md has no row for ${permission}`).toBeDefined();
      const cells = row!.split("|").map((c) => c.trim()).slice(2, 6);
      const documented = TEAM_ROLES.filter((_, i) => cells[i] === "✓");
      expect(documented, permission).toEqual(TEAM_ROLES.filter((r) => ROLE_PERMISSIONS[r].has(permission as keyof typeof PERMISSIONS)));
    }
  });

  it("anonymous callers get UNAUTHORIZED from every procedure that is not public", async () => {
    const wrong: string[] = [];
    for (const path of paths.filter((p) => PROCEDURE_ACCESS[p] !== "public")) {
      const code = await codeOf(call(fx.anonymous, path, UNPARSEABLE));
      if (code !== "UNAUTHORIZED") wrong.push(`${path}: ${code}`);
    }
    expect(wrong).toEqual([]);
  });

  it("each role gets FORBIDDEN exactly where the matrix says, and passes the check elsewhere", async () => {
    const wrong: string[] = [];
    for (const path of paths) {
      const access = PROCEDURE_ACCESS[path]!;
      if (access === "public") continue;
      for (const role of TEAM_ROLES) {
        const member = fx.members[role];
        const allowed = access === "signed-in" || (access !== "platform-admin" && ROLE_PERMISSIONS[role].has(access));
        const decided = (() => {
          try {
            authorizeProcedure({ role: "user", team: { id: fx.teamId, name: fx.teamName, personal: false, plan: "free", role } }, path);
            return true;
          } catch {
            return false;
          }
        })();
        if (decided !== allowed) wrong.push(`${path} as ${role}: decision ${decided}, matrix ${allowed}`);
        if (!allowed) {
          const code = await codeOf(call(member.caller, path, UNPARSEABLE));
          if (code !== "FORBIDDEN") wrong.push(`${path} as ${role}: ${code}, expected FORBIDDEN`);
        } else if (access !== "signed-in" && procedures[path]!._def.inputs.length > 0) {
          // Through the middleware: the input parser is what answers.
          const code = await codeOf(call(member.caller, path, UNPARSEABLE));
          if (code !== "BAD_REQUEST") wrong.push(`${path} as ${role}: ${code}, expected BAD_REQUEST (allowed)`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("a viewer is refused every mutating procedure of the team", async () => {
    const mutations = paths.filter((p) => procedures[p]!._def.type === "mutation" && !["public", "signed-in", "platform-admin"].includes(PROCEDURE_ACCESS[p]!));
    expect(mutations.length).toBeGreaterThan(30);
    const codes = await Promise.all(mutations.map(async (p) => [p, await codeOf(call(fx.members.viewer.caller, p, { appId: 1, id: 1, userId: 1 }))] as const));
    expect(codes.filter(([, c]) => c !== "FORBIDDEN")).toEqual([]);
  });

  it("secret values: a viewer cannot read env var values, webhook secrets or the push-webhook secret", async () => {
    const { owner, viewer } = fx.members;
    const { app } = await owner.caller.apps.create({ name: `matrix-secret-${Date.now() % 100000}`, repoUrl: "https://github.com/team/secret.git" });
    await owner.caller.envVars.set({ appId: app.id, key: "API_KEY", value: "s3cret-value" });
    const hook = await owner.caller.webhooks.create({ url: "http://127.0.0.1:9/hook", events: ["deployment.failed"] });
    const listed = await viewer.caller.envVars.list({ appId: app.id });
    expect(listed.map((v) => v.key)).toEqual(["API_KEY"]);
    expect(JSON.stringify(listed)).not.toContain("s3cret-value");
    expect(JSON.stringify(await viewer.caller.webhooks.list())).not.toMatch(/whsec_/);
    // Each call starts only when it is awaited: calls started together would reject while the
    // loop still awaits the first, and an unheard rejection fails the whole run.
    for (const call of [
      () => viewer.caller.envVars.reveal({ appId: app.id, key: "API_KEY" }),
      () => viewer.caller.webhooks.revealSecret({ id: hook.id }),
      () => viewer.caller.apps.autoDeploy({ appId: app.id }),
    ]) {
      expect(await codeOf(call())).toBe("FORBIDDEN");
    }
    expect((await fx.members.developer.caller.envVars.reveal({ appId: app.id, key: "API_KEY" })).value).toBe("s3cret-value");
  });

  it("the outsider sees nothing of the team: its apps are not found, its members not listed", async () => {
    const { app } = await fx.members.admin.caller.apps.create({ name: `matrix-out-${Date.now() % 100000}`, repoUrl: "https://github.com/team/out.git" });
    expect(await codeOf(fx.outsider.caller.apps.get({ appId: app.id }))).toBe("NOT_FOUND");
    expect(await codeOf(fx.outsider.caller.teams.switch({ teamId: fx.teamId }))).toBe("NOT_FOUND");
    expect((await fx.outsider.caller.apps.list()).map((a) => a.id)).not.toContain(app.id);
    expect((await fx.outsider.caller.teams.members()).map((m) => m.userId)).toEqual([fx.outsider.id]);
    // Every member of the team sees the app another member created.
    for (const role of TEAM_ROLES) expect((await fx.members[role as TeamRole].caller.apps.get({ appId: app.id })).id).toBe(app.id);
  });
});
