import type { AuditContext } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { resolveActorTeam, type ActorTeam } from "../teams/actor-team";
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
  /** The current team's plan (the plan and its limits are the team's). */
  plan: string;
  role: "user" | "admin";
  /**
   * The team the caller works in and their role there (src/server/teams/actor-team.ts). The
   * procedures' middleware checks the role against src/server/teams/procedure-access.ts; services
   * scope rows with teamWhere (src/server/teams/team-scope.ts).
   */
  team: ActorTeam;
  /** The session the request came with: sudo mode, 2FA state, "this device". */
  session: CallerSession;
  /** Address and user agent of the request. */
  client: ClientInfo;
  /** What the apps, domains, env-var and git services record in audit events. */
  audit: AuditContext;
}

export function actorFor(caller: { user: CallerUser; session: CallerSession; team: ActorTeam }, client: ClientInfo): Actor {
  const { user, session, team } = caller;
  return {
    userId: user.id,
    email: user.email,
    plan: team.plan,
    role: user.role,
    team,
    session,
    client: { ip: client.ip, userAgent: client.userAgent },
    audit: { ip: client.ip, userAgent: client.userAgent, sessionId: session.id, teamId: team.id },
  };
}

/** The actor of a signed-in caller: their current team is looked up on every request. */
export async function resolveActor(db: Db, caller: { user: CallerUser; session: CallerSession }, client: ClientInfo): Promise<Actor> {
  const team = await resolveActorTeam(db, { userId: caller.user.id, sessionId: caller.session.id });
  return actorFor({ ...caller, team }, client);
}
