import { appRouter } from "../../../src/server/trpc/root";
import { createCallerFactory } from "../../../src/server/trpc/trpc";
import type { TeamRole } from "../../../src/server/teams/roles";
import type { AppHarness, Caller, TestUser } from "../../apps/helpers/app-harness";

const createCaller = createCallerFactory(appRouter);

export interface TeamFixture {
  teamId: number;
  teamName: string;
  members: Record<TeamRole, TestUser>;
  /** A signed-in user who is not a member (works in their own personal team). */
  outsider: TestUser;
  anonymous: Caller;
}

/**
 * A team with one member per role, each signed in and working in it (their session's current
 * team), plus an outsider and an anonymous caller. Members are added as accepted invitations
 * leave them: a team_members row.
 */
export async function teamWithEveryRole(h: AppHarness, name = `Team ${Date.now()}`): Promise<TeamFixture> {
  const owner = await h.user("pro");
  const team = await owner.caller.teams.create({ name });
  // New teams start on the free plan (one app); the plan is the team's, set by the operator.
  await h.tdb.db.team.update({ where: { id: team.id }, data: { plan: "pro" } });
  const members = { owner } as Record<TeamRole, TestUser>;
  for (const role of ["admin", "developer", "viewer"] as const) {
    const user = await h.user("free");
    await h.tdb.db.teamMember.create({ data: { teamId: team.id, userId: user.id, role } });
    await user.caller.teams.switch({ teamId: team.id });
    members[role] = user;
  }
  const outsider = await h.user("pro");
  const anonymous = createCaller({ ...owner.ctx, user: null, session: null });
  return { teamId: team.id, teamName: name, members, outsider, anonymous };
}
