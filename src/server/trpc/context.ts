import type { CallerSession, CallerUser } from "../auth/actor";
import type { TokenCaller } from "../api-tokens/token-caller";
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
  /** Set instead of a session when the public API (/api/v1) calls a procedure with an API token. */
  token?: TokenCaller | null;
  request: RequestInfo;
  /** Response headers to set (cookies); route handlers copy them onto the response. */
  responseHeaders: Headers;
}
