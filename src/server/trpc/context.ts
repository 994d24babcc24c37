import type { Services } from "../runtime/services";

/** The signed-in caller, resolved from the session cookie on every request. */
export interface CallerUser {
  id: number;
  email: string;
  name: string;
  role: "user" | "admin";
  plan: string;
}

export interface CallerSession {
  id: number;
  twoFactor: boolean;
  /** Last password/TOTP re-check, for sudo mode. */
  reauthAt: Date | null;
}

export interface RequestInfo {
  ip: string;
  userAgent: string;
  /** Origin header (CSRF check on mutations). */
  origin: string | null;
  headers: Headers;
}

export interface TrpcContext {
  services: Services;
  user: CallerUser | null;
  session: CallerSession | null;
  request: RequestInfo;
  /** Response headers to set (cookies); route handlers copy them onto the response. */
  responseHeaders: Headers;
}
