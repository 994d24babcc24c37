import type { Tx } from "../apps/app-access";
import type { Services } from "../runtime/services";
import { announceSessionsEnded } from "../sessions/sessions-ended";

/**
 * A user's membership of a team ended (removed, left, team deleted): their sessions working in
 * that team fall back to the personal team, and returns the live session ids so the caller can
 * announce them after the commit. Live streams are bound to sessions
 * (src/server/apps/live/session-guard.ts): announcing the sessions closes every stream the user
 * had open, including those showing the team's logs; the sessions themselves stay signed in.
 */
export async function detachSessionsFromTeam(tx: Tx, userId: number, teamId: number): Promise<number[]> {
  await tx.session.updateMany({ where: { userId, currentTeamId: teamId }, data: { currentTeamId: null } });
  const live = await tx.session.findMany({ where: { userId, revokedAt: null, expiresAt: { gt: new Date() } }, select: { id: true } });
  return live.map((s) => s.id);
}

/** After the commit: closes the streams of the sessions detachSessionsFromTeam returned. */
export async function closeStreamsOf(deps: Pick<Services, "bus" | "log">, userId: number, sessionIds: number[]): Promise<void> {
  if (sessionIds.length > 0) await announceSessionsEnded(deps, userId, sessionIds);
}
