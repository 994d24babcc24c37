import { z } from "zod";
import type { Db } from "../db/client";
import { notFound } from "../errors/domain-errors";

/** A Prisma transaction client (what `db.$transaction(async (tx) => …)` hands over). */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

/** The input of every procedure about one app. */
export const appIdInput = z.object({ appId: z.number().int().positive() });
export type AppRef = z.infer<typeof appIdInput>;

/**
 * The one place app ownership is expressed. Every read and write of an app by a signed-in user
 * goes through this where clause, so another user's app id is simply "not found".
 */
export function ownedAppWhere(userId: number, appId: number) {
  return { id: appId, userId, deletedAt: null };
}

/** Apps of the user that are not deleted. */
export function userAppsWhere(userId: number) {
  return { userId, deletedAt: null };
}

export async function requireOwnedApp(db: DbOrTx, userId: number, appId: number) {
  const app = await db.app.findFirst({ where: ownedAppWhere(userId, appId) });
  if (!app) throw notFound("App");
  return app;
}

/**
 * Locks the app row for the rest of the transaction (SELECT … FOR UPDATE) after checking
 * ownership, so concurrent deploys, restarts and deletes of one app run one after another.
 */
export async function lockOwnedApp(tx: Tx, userId: number, appId: number) {
  const rows = await tx.$queryRaw<{ id: number }[]>`
    SELECT id FROM apps WHERE id = ${appId} AND user_id = ${userId} AND deleted_at IS NULL FOR UPDATE`;
  if (rows.length === 0) throw notFound("App");
  return tx.app.findUniqueOrThrow({ where: { id: appId } });
}

/** Deployments are owned through their app. */
export function ownedDeploymentWhere(userId: number, deploymentId: number) {
  return { id: deploymentId, app: { userId, deletedAt: null } };
}
