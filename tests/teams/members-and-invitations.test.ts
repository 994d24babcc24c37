import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppHarness, type AppHarness, type Caller, type TestUser } from "../apps/helpers/app-harness";
import { teamWithEveryRole, type TeamFixture } from "./helpers/team-fixture";

/**
 * The team lifecycle and its bad inputs (docs/teams.md): invitations mailed with an expiring,
 * single-use link that only the invited address can accept; the last owner can neither leave nor
 * be demoted; concurrent role changes keep an owner; a removed member's open live stream ends;
 * deleting a team needs its name and takes its apps with it.
 */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (err) {
    return (err as { code?: string }).code ?? `THREW ${(err as Error).message}`;
  }
}

describe("teams: members and invitations", () => {
  let h: AppHarness;
  let fx: TeamFixture;

  beforeAll(async () => {
    h = await startAppHarness();
    fx = await teamWithEveryRole(h);
  });
  afterAll(async () => h.close());

  /** The invitation link from the mail queued for `email` (the jobs process would send it). */
  async function mailedToken(email: string): Promise<string> {
    let token: string | undefined;
    await expect
      .poll(
        async () => {
          const rows = await h.tdb.db.$queryRaw<{ data: { to: string; text: string } }[]>`
            SELECT data FROM pgboss.job WHERE name = 'email.send' AND data->>'to' = ${email} ORDER BY created_on DESC LIMIT 1`;
          token = rows[0] ? /invite\?token=([A-Za-z0-9_-]{43})/.exec(rows[0].data.text)?.[1] : undefined;
          return token;
        },
        { timeout: 15_000 },
      )
      .toBeDefined();
    return token!;
  }

  async function invited(role: "admin" | "developer" | "viewer" = "developer") {
    const user = await h.user("free");
    await fx.members.admin.caller.teams.invite({ email: user.email, role });
    return { user, token: await mailedToken(user.email) };
  }

  it("an invitation is accepted once, by the invited address only, with the invited role", async () => {
    const { user, token } = await invited("viewer");
    const preview = await user.caller.teams.invitation({ token });
    expect(preview).toMatchObject({ teamName: fx.teamName, role: "viewer", state: "pending", emailMatches: true });

    const stranger = await h.user("free");
    expect(await codeOf(stranger.caller.teams.acceptInvitation({ token }))).toBe("FORBIDDEN");
    await expect(stranger.caller.teams.acceptInvitation({ token })).rejects.toThrow(new RegExp(`sent to ${user.email}`));

    expect(await user.caller.teams.acceptInvitation({ token })).toMatchObject({ teamId: fx.teamId, role: "viewer" });
    expect((await user.caller.teams.current()).id).toBe(fx.teamId);
    expect((await user.caller.teams.members()).find((m) => m.you)?.role).toBe("viewer");
    await expect(user.caller.teams.acceptInvitation({ token })).rejects.toThrow(/already used/);
  });

  it("one link accepted twice at the same time (two tabs) joins once; the other accept is refused", async () => {
    const { user, token } = await invited("developer");
    // Each accept locks the invitation row (invitations.service.ts): the second sees it accepted.
    const results = await Promise.allSettled([user.caller.teams.acceptInvitation({ token }), user.caller.teams.acceptInvitation({ token })]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === "rejected")!;
    expect((refused.reason as Error).message).toMatch(/already used/);
    expect(await h.tdb.db.teamMember.count({ where: { teamId: fx.teamId, userId: user.id } })).toBe(1);
    expect(await h.tdb.db.auditEvent.count({ where: { kind: "team_join", userId: user.id } })).toBe(1);
  });

  it("an expired or revoked invitation is refused with what to do", async () => {
    const expired = await invited();
    await h.tdb.db.teamInvitation.updateMany({ where: { email: expired.user.email }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(expired.user.caller.teams.acceptInvitation({ token: expired.token })).rejects.toThrow(/expired. Ask the team to invite you again/);

    const revoked = await invited();
    const open = await fx.members.owner.caller.teams.invitations();
    const row = open.find((i) => i.email === revoked.user.email)!;
    await fx.members.owner.caller.teams.revokeInvitation({ invitationId: row.id });
    await expect(revoked.user.caller.teams.acceptInvitation({ token: revoked.token })).rejects.toThrow(/withdrawn/);

    // A newer invitation to the same address replaces the older link.
    const first = await invited();
    await fx.members.admin.caller.teams.invite({ email: first.user.email, role: "viewer" });
    await expect.poll(async () => (await mailedToken(first.user.email)) !== first.token, { timeout: 15_000 }).toBe(true);
    await expect(first.user.caller.teams.acceptInvitation({ token: first.token })).rejects.toThrow(/withdrawn or replaced/);

    expect(await codeOf(revoked.user.caller.teams.acceptInvitation({ token: "x".repeat(43) }))).toBe("NOT_FOUND");
    expect(await codeOf(revoked.user.caller.teams.acceptInvitation({ token: "short" }))).toBe("BAD_REQUEST");
  });

  it("only an owner makes owners; admins cannot touch an owner", async () => {
    const { admin, developer, owner } = fx.members;
    await expect(admin.caller.teams.changeRole({ userId: developer.id, role: "owner" })).rejects.toThrow(/Only an owner/);
    await expect(admin.caller.teams.changeRole({ userId: owner.id, role: "viewer" })).rejects.toThrow(/Only an owner/);
    await expect(admin.caller.teams.removeMember({ userId: owner.id })).rejects.toThrow(/Only an owner/);
    await expect(admin.caller.teams.invite({ email: "new-owner@example.com", role: "owner" })).rejects.toThrow(/Only an owner/);
  });

  it("the last owner can neither leave nor be demoted; the personal team cannot be left", async () => {
    const { owner } = fx.members;
    await expect(owner.caller.teams.leave()).rejects.toThrow(/at least one owner/);
    await expect(owner.caller.teams.changeRole({ userId: owner.id, role: "admin" })).rejects.toThrow(/at least one owner/);
    const loner = await h.user("free");
    await expect(loner.caller.teams.leave()).rejects.toThrow(/personal team/);
    await expect(loner.caller.teams.invite({ email: "friend@example.com", role: "viewer" })).rejects.toThrow(/Create a team to invite/);
  });

  it("concurrent demotions of the only two owners leave exactly one owner", async () => {
    const a = await h.user("free");
    const team = await a.caller.teams.create({ name: `Race ${Date.now()}` });
    const b = await h.user("free");
    await h.tdb.db.teamMember.create({ data: { teamId: team.id, userId: b.id, role: "owner" } });
    await b.caller.teams.switch({ teamId: team.id });
    const results = await Promise.allSettled([
      a.caller.teams.changeRole({ userId: b.id, role: "developer" }),
      b.caller.teams.changeRole({ userId: a.id, role: "developer" }),
    ]);
    // The second demotion sees either a non-owner caller or the last owner: refused either way.
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await h.tdb.db.teamMember.count({ where: { teamId: team.id, role: "owner" } })).toBe(1);
  });

  it("a removed member's open live-log stream ends, and the team's apps are not found for them any more", async () => {
    const { owner } = fx.members;
    const member: TestUser = await h.user("free");
    await h.tdb.db.teamMember.create({ data: { teamId: fx.teamId, userId: member.id, role: "developer" } });
    await member.caller.teams.switch({ teamId: fx.teamId });
    const { app } = await owner.caller.apps.create({ name: `stream-${Date.now() % 100000}`, repoUrl: "https://github.com/team/stream.git" });
    await h.tdb.db.runtimeLog.create({ data: { appId: app.id, ts: new Date(), stream: "stdout", line: "listening" } });

    const stream = (await member.caller.apps.onRuntimeLogs({ appId: app.id })) as AsyncIterable<unknown>;
    const it = stream[Symbol.asyncIterator]();
    // The replayed line means the stream is subscribed and its session guard in place.
    expect(await it.next()).toMatchObject({ done: false });
    // Settled into a code at once: the stream ends while removeMember is still being awaited.
    const ended = it.next().then(
      () => "still streaming",
      (err: { code?: string }) => err.code,
    );
    await owner.caller.teams.removeMember({ userId: member.id });
    expect(await ended).toBe("UNAUTHORIZED");

    expect(await codeOf(member.caller.apps.get({ appId: app.id }))).toBe("NOT_FOUND");
    expect((await member.caller.teams.current()).personal).toBe(true);
  });

  it("ownership moves to another member; the former owner becomes an admin", async () => {
    const a = await h.user("free");
    const team = await a.caller.teams.create({ name: `Hand-over ${Date.now()}` });
    const b = await h.user("free");
    await h.tdb.db.teamMember.create({ data: { teamId: team.id, userId: b.id, role: "viewer" } });
    await a.caller.teams.transferOwnership({ userId: b.id });
    const roles = Object.fromEntries((await a.caller.teams.members()).map((m) => [m.userId, m.role]));
    expect(roles).toEqual({ [a.id]: "admin", [b.id]: "owner" });
    expect(await codeOf(a.caller.teams.delete({ confirmName: `Hand-over` }))).toBe("FORBIDDEN");
  });

  it("deleting a team needs its name typed, and deletes its apps", async () => {
    const a = await h.user("free");
    const name = `Doomed ${Date.now()}`;
    const team = await a.caller.teams.create({ name });
    const { app } = await a.caller.apps.create({ name: `doomed-${Date.now() % 100000}`, repoUrl: "https://github.com/team/doomed.git" });
    await expect(a.caller.teams.delete({ confirmName: "Doomed" })).rejects.toThrow(new RegExp(`Type the team's name, ${name}`));
    expect(await a.caller.teams.delete({ confirmName: name })).toMatchObject({ id: team.id, appsDeleted: 1 });
    expect((await h.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).deletedAt).not.toBeNull();
    expect((await a.caller.teams.list()).map((t) => t.id)).not.toContain(team.id);
    expect((await a.caller.teams.current()).personal).toBe(true);
    await expect((a.caller as Caller).teams.delete({ confirmName: "Personal" })).rejects.toThrow(/personal team cannot be deleted/);
  });

  it("the team's audit log names who did what", async () => {
    const { events } = await fx.members.viewer.caller.audit.team();
    const kinds = events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["team_create", "team_invite", "team_join", "team_member_remove", "app_create"]));
    const join = events.find((e) => e.kind === "team_join")!;
    expect(join.actor.name).toBe("Tester");
    expect(JSON.stringify(events)).not.toMatch(/"ip"|userAgent/);
  });
});
