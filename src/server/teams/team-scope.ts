import type { Actor } from "../auth/actor";

/** What team-scoped services read of the caller. */
export type TeamScope = Pick<Actor, "userId" | "team">;

/**
 * The one place team ownership is expressed in a `where`: the row belongs to the caller's current
 * team, the team is not deleted, and the caller is (still) a member of it — checked by the query
 * itself, so a member removed after the request's actor was built finds nothing. Another team's
 * id is "not found". Every service that reads or writes team resources spreads this.
 */
export function teamWhere(actor: TeamScope) {
  return { teamId: actor.team.id, team: { deletedAt: null, members: { some: { userId: actor.userId } } } };
}
