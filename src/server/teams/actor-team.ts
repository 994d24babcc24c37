import type { Db } from "../db/client";
import { teamRoleSchema, type TeamRole } from "./roles";

/** The team an actor works in, and its role there. */
export interface ActorTeam {
  id: number;
  name: string;
  personal: boolean;
  plan: string;
  role: TeamRole;
}

/**
 * The caller's current team: the session's chosen team while the user is still a member of it,
 * otherwise the personal team (every user has one, created with the user row: see
 * prisma/migrations/20261202074500_teams). A token-based actor passes its token's team instead of
 * a session. Throws when the user has no team at all, which the migration and trigger rule out.
 */
export async function resolveActorTeam(db: Db, who: { userId: number; sessionId?: number; teamId?: number }): Promise<ActorTeam> {
  const preferred = who.teamId ?? null;
  const sessionId = who.sessionId ?? null;
  const rows = await db.$queryRaw<{ id: number; name: string; personal: boolean; plan: string; role: string }[]>`
    SELECT t.id, t.name, t.personal, t.plan, m.role::text AS role
      FROM team_members m JOIN teams t ON t.id = m.team_id AND t.deleted_at IS NULL
     WHERE m.user_id = ${who.userId}
       AND (t.personal OR m.team_id = COALESCE(${preferred}::int,
              (SELECT s.current_team_id FROM sessions s WHERE s.id = ${sessionId}::int AND s.user_id = ${who.userId})))
     ORDER BY t.personal ASC, t.id ASC
     LIMIT 1`;
  const row = rows[0];
  if (!row) throw new Error(`user ${who.userId} has no team (every user gets a personal team with the user row)`);
  return { id: row.id, name: row.name, personal: row.personal, plan: row.plan, role: teamRoleSchema.parse(row.role) };
}
