import type { Services } from "../runtime/services";
import { openSessionCookie, sessionClearCookie } from "../sessions/session-cookie";
import { validateSessionToken } from "../sessions/validate-session";
import type { CallerSession, CallerUser } from "./actor";

export interface ResolvedCaller {
  user: CallerUser | null;
  session: CallerSession | null;
}

const NOBODY: ResolvedCaller = { user: null, session: null };

/**
 * Resolves the signed-in caller from the request's session cookie: the seal is opened, the
 * session row checked on every request (revoked, idle 30 days, absolute cap). A cookie that
 * does not lead to a live session is cleared through responseHeaders (when given): the visitor
 * is signed out, never shown an error.
 */
export async function resolveCaller(
  deps: Pick<Services, "config" | "db" | "log">,
  input: { cookieHeader: string | null; responseHeaders?: Headers; now?: Date },
): Promise<ResolvedCaller> {
  const opened = await openSessionCookie(deps.config, input.cookieHeader);
  if (opened.kind === "absent") return NOBODY;
  if (opened.kind === "token") {
    try {
      const check = await validateSessionToken(deps.db, opened.token, input.now ?? new Date());
      if (check.valid) return { user: check.user, session: check.session };
    } catch (err) {
      deps.log.error({ err: (err as Error).message }, "session lookup failed");
      throw err;
    }
  }
  input.responseHeaders?.append("set-cookie", sessionClearCookie(deps.config));
  return NOBODY;
}
