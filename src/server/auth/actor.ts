import type { AuditContext } from "../audit/record-audit-event";
import type { ClientInfo } from "./client-context";

/** The signed-in user, resolved from the session cookie on every request. */
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

/**
 * Who is acting, as every service takes it: `(deps, actor, input)`. The tRPC middleware builds it
 * once per request (src/server/trpc/trpc.ts); route handlers build it with actorFromRequest.
 * Services declare the part they read (`Pick<Actor, "userId">`).
 */
export interface Actor {
  userId: number;
  email: string;
  plan: string;
  role: "user" | "admin";
  /** The session the request came with: sudo mode, 2FA state, "this device". */
  session: CallerSession;
  /** Address and user agent of the request. */
  client: ClientInfo;
  /** What the apps, domains, env-var and git services record in audit events. */
  audit: AuditContext;
}

export function actorFor(caller: { user: CallerUser; session: CallerSession }, client: ClientInfo): Actor {
  const { user, session } = caller;
  return {
    userId: user.id,
    email: user.email,
    plan: user.plan,
    role: user.role,
    session,
    client: { ip: client.ip, userAgent: client.userAgent },
    audit: { ip: client.ip, userAgent: client.userAgent, sessionId: session.id },
  };
}
