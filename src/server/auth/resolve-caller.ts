import type { CallerSession, CallerUser, RequestInfo } from "../trpc/context";
import type { Services } from "../runtime/services";
import { openSessionCookie, sessionClearCookie } from "../sessions/session-cookie";
import { validateSessionToken } from "../sessions/validate-session";

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
  services: Pick<Services, "config" | "db" | "log">,
  _request: RequestInfo | null,
  cookieHeader: string | null,
  responseHeaders?: Headers,
  opts: { now?: Date } = {},
): Promise<ResolvedCaller> {
  const opened = await openSessionCookie(services.config, cookieHeader);
  if (opened.kind === "absent") return NOBODY;
  if (opened.kind === "token") {
    try {
      const check = await validateSessionToken(services.db, opened.token, opts.now ?? new Date());
      if (check.valid) return { user: check.user, session: check.session };
    } catch (err) {
      services.log.error({ err: (err as Error).message }, "session lookup failed");
      throw err;
    }
  }
  responseHeaders?.append("set-cookie", sessionClearCookie(services.config));
  return NOBODY;
}
