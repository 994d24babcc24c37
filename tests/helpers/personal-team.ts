import type { Db } from "../../src/server/db/client";
import { resolveActorTeam } from "../../src/server/teams/actor-team";

/** The personal team every user gets with the user row (prisma/migrations/20261202074500_teams). */
export async function personalTeamId(db: Db, userId: number): Promise<number> {
  const member = await db.teamMember.findFirstOrThrow({ where: { userId, team: { personal: true } }, select: { teamId: true } });
  return member.teamId;
}

/** The team part of an actor for a service called directly (no session: the personal team). */
export async function teamActor(db: Db, userId: number) {
  return { userId, team: await resolveActorTeam(db, { userId }) };
}
