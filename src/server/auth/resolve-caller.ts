import type { CallerSession, CallerUser, RequestInfo } from "../trpc/context";
import type { Services } from "../runtime/services";

export interface ResolvedCaller {
  user: CallerUser | null;
  session: CallerSession | null;
}

/**
 * Resolves the signed-in caller from the request's session cookie. Accounts (issue #3) own this:
 * the sealed cookie is opened, the session row checked on every request and expiry enforced.
 */
export async function resolveCaller(_services: Services, _request: RequestInfo, _cookieHeader: string | null): Promise<ResolvedCaller> {
  return { user: null, session: null };
}
