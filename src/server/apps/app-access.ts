import { z } from "zod";
import type { Db } from "../db/client";
import { notFound } from "../errors/domain-errors";
import { teamWhere, type TeamScope } from "../teams/team-scope";

/** A Prisma transaction client (what `db.$transaction(async (tx) => …)` hands over). */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

/** The input of every procedure about one app. */
export const appIdInput = z.object({ appId: z.number().int().positive() });
export type AppRef = z.infer<typeof appIdInput>;

/**
 * App ownership, expressed through the team scope (src/server/teams/team-scope.ts): every read
 * and write of an app by a signed-in user goes through these where clauses, so an app of a team
 * the caller is not a member of is simply "not found".
 */
export function ownedAppWhere(scope: TeamScope, appId: number) {
  return { id: appId, deletedAt: null, ...teamWhere(scope) };
}

/** Apps of the caller's current team that are not deleted. */
export function userAppsWhere(scope: TeamScope) {
  return { deletedAt: null, ...teamWhere(scope) };
}

export async function requireOwnedApp(db: DbOrTx, scope: TeamScope, appId: number) {
  const app = await db.app.findFirst({ where: ownedAppWhere(scope, appId) });
  if (!app) throw notFound("App");
  return app;
}

/**
 * Locks the app row for the rest of the transaction (SELECT … FOR UPDATE) after checking
 * ownership, so concurrent deploys, restarts and deletes of one app run one after another. The
 * raw form of teamWhere: the app is the current team's and the caller is a member of it.
 */
export async function lockOwnedApp(tx: Tx, scope: TeamScope, appId: number) {
  const rows = await tx.$queryRaw<{ id: number }[]>`
    SELECT a.id FROM apps a
      JOIN teams t ON t.id = a.team_id AND t.deleted_at IS NULL
      JOIN team_members m ON m.team_id = a.team_id AND m.user_id = ${scope.userId}
     WHERE a.id = ${appId} AND a.team_id = ${scope.team.id} AND a.deleted_at IS NULL
       FOR UPDATE OF a`;
  if (rows.length === 0) throw notFound("App");
  return tx.app.findUniqueOrThrow({ where: { id: appId } });
}

/** Deployments are owned through their app. */
export function ownedDeploymentWhere(scope: TeamScope, deploymentId: number) {
  return { id: deploymentId, app: { deletedAt: null, ...teamWhere(scope) } };
}
