import { z } from "zod";
import { userAppsWhere } from "../apps/app-access";
import type { Actor } from "../auth/actor";
import type { Services } from "../runtime/services";
import { ApiError } from "./api-errors";

/** The `{app}` path segment: the app's id, or its name within the token's team. */
export const appParam = z.object({
  app: z.string().min(1).max(100).meta({ description: "The app's id or its name in the token's team", example: "shop" }),
});

/**
 * The id of the app the segment names, found in the token's team only (teamWhere through
 * userAppsWhere), so another team's app is "not found" like a missing one.
 */
export async function resolveAppId(deps: Pick<Services, "db">, actor: Pick<Actor, "userId" | "team">, ref: string): Promise<number> {
  const byId = /^\d{1,9}$/.test(ref) ? Number(ref) : null;
  const app = await deps.db.app.findFirst({
    where: { ...userAppsWhere(actor), OR: [{ name: ref.toLowerCase() }, ...(byId ? [{ id: byId }] : [])] },
    select: { id: true },
  });
  if (!app) throw new ApiError("NOT_FOUND", `No app ${JSON.stringify(ref)} in ${actor.team.name}. List them with GET /api/v1/apps (an app is named by its id or name).`);
  return app.id;
}
