import type { Tx } from "../apps/app-access";
import { notFound } from "../errors/domain-errors";
import { teamRoleSchema, type TeamRole } from "./roles";
import type { TeamScope } from "./team-scope";

/**
 * Locks the caller's current team row (SELECT … FOR UPDATE) and reads the caller's role afresh
 * inside the lock. Every membership change (role changes, removals, leaving, transfers,
 * invitations accepted) takes this lock first, so two concurrent changes run one after the
 * other and the "at least one owner" rule is checked against committed data.
 */
export async function lockTeam(tx: Tx, actor: TeamScope, teamId: number = actor.team.id) {
  const rows = await tx.$queryRaw<{ id: number; name: string; personal: boolean; role: string }[]>`
    SELECT t.id, t.name, t.personal, m.role::text AS role
      FROM teams t JOIN team_members m ON m.team_id = t.id AND m.user_id = ${actor.userId}
     WHERE t.id = ${teamId} AND t.deleted_at IS NULL
       FOR UPDATE OF t`;
  const row = rows[0];
  if (!row) throw notFound("Team");
  return { id: row.id, name: row.name, personal: row.personal, role: teamRoleSchema.parse(row.role) as TeamRole };
}

/** Owners of a team (inside lockTeam's transaction). */
export async function ownerCount(tx: Tx, teamId: number): Promise<number> {
  return tx.teamMember.count({ where: { teamId, role: "owner" } });
}
