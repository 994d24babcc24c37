import { actorFor, type Actor, type CallerSession, type CallerUser } from "../auth/actor";
import type { ClientInfo } from "../auth/client-context";
import { DomainError } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import type { ActorTeam } from "../teams/actor-team";
import { teamRoleSchema } from "../teams/roles";
import { recordTokenUse } from "./record-token-use";
import { hashToken, TOKEN_PREFIX } from "./token-secret";

/** A request made with an API token: its owner, the token's team with the owner's current role, its scopes. */
export interface TokenCaller {
  tokenId: number;
  tokenName: string;
  scopes: string[];
  expiresAt: Date | null;
  user: CallerUser;
  /** Tokens have no session: never in sudo mode, no "this device". */
  session: CallerSession;
  actor: Actor;
}

const CREATE_ONE = "Create a token in the dashboard under Settings → API tokens and send it as `Authorization: Bearer wh_…`.";

export const missingToken = () => new DomainError("UNAUTHORIZED", `This API needs a token. ${CREATE_ONE}`);

/**
 * Resolves a bearer token on every request (docs/api.md): unknown, revoked and expired tokens are
 * refused, and the owner's role is read now, in the token's team, so a demotion or removal takes
 * effect on the next request. Records the last use (time and address; src/server/api-tokens/record-token-use.ts).
 */
export async function authenticateToken(deps: Pick<Services, "db" | "now">, token: string, client: ClientInfo): Promise<TokenCaller> {
  if (!token.startsWith(TOKEN_PREFIX)) throw new DomainError("UNAUTHORIZED", `That is not a WiseHosting API token (they start with ${TOKEN_PREFIX}). ${CREATE_ONE}`);
  const row = await deps.db.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: { select: { id: true, email: true, name: true, role: true, plan: true } } },
  });
  if (!row) throw new DomainError("UNAUTHORIZED", `This token is not known: it may have been mistyped or deleted. ${CREATE_ONE}`);
  if (row.revokedAt) throw new DomainError("UNAUTHORIZED", `This token (${row.name}) was revoked on ${row.revokedAt.toISOString()}. ${CREATE_ONE}`, { revoked: true });
  const now = deps.now();
  if (row.expiresAt && row.expiresAt <= now) {
    throw new DomainError("UNAUTHORIZED", `This token (${row.name}) expired on ${row.expiresAt.toISOString()}. ${CREATE_ONE}`, { expired: true });
  }
  const team = await tokenTeam(deps, row.userId, row.teamId);
  if (!team) {
    throw new DomainError("FORBIDDEN", `The owner of this token (${row.name}) is no longer a member of its team, so it can do nothing there. Ask to be invited again, then create a new token.`);
  }
  await recordTokenUse(deps, row, now, client.ip);
  const user: CallerUser = { id: row.user.id, email: row.user.email, name: row.user.name, role: row.user.role, plan: row.user.plan };
  const session: CallerSession = { id: 0, twoFactor: false, reauthAt: null };
  // The dashboard's actor (src/server/auth/actor.ts), audited as this token rather than a session.
  const signedIn = actorFor({ user, session, team }, client);
  const actor: Actor = { ...signedIn, audit: { ...signedIn.audit, sessionId: null, apiTokenId: row.id } };
  return { tokenId: row.id, tokenName: row.name, scopes: row.scopes, expiresAt: row.expiresAt, user, session, actor };
}

/** The token's team with the owner's role there now, or null when they are no longer a member (or it was deleted). */
async function tokenTeam(deps: Pick<Services, "db">, userId: number, teamId: number): Promise<ActorTeam | null> {
  const m = await deps.db.teamMember.findFirst({
    where: { userId, teamId, team: { deletedAt: null } },
    include: { team: { select: { id: true, name: true, personal: true, plan: true } } },
  });
  if (!m) return null;
  return { id: m.team.id, name: m.team.name, personal: m.team.personal, plan: m.team.plan, role: teamRoleSchema.parse(m.role) };
}
