import { requestClient } from "../http/request-client";
import type { Services } from "../runtime/services";
import { resolveActor, type Actor } from "./actor";
import { resolveCaller } from "./resolve-caller";

/** The signed-in caller of a plain route handler (no tRPC), resolved as tRPC resolves it; null when signed out. */
export async function actorFromRequest(deps: Pick<Services, "config" | "db" | "log">, req: Request): Promise<Actor | null> {
  const caller = await resolveCaller(deps, { cookieHeader: req.headers.get("cookie") });
  return caller.user && caller.session ? resolveActor(deps.db, { user: caller.user, session: caller.session }, requestClient(req.headers, deps.config)) : null;
}
