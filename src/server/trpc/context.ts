import type { CallerSession, CallerUser } from "../auth/actor";
import type { Services } from "../runtime/services";

export interface RequestInfo {
  ip: string;
  userAgent: string;
  /** Origin header (CSRF check on mutations). */
  origin: string | null;
  headers: Headers;
}

export interface TrpcContext {
  services: Services;
  /** The signed-in caller, resolved from the session cookie on every request. */
  user: CallerUser | null;
  session: CallerSession | null;
  request: RequestInfo;
  /** Response headers to set (cookies); route handlers copy them onto the response. */
  responseHeaders: Headers;
}
