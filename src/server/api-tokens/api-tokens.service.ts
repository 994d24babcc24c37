import type { z } from "zod";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { Actor } from "../auth/actor";
import { requireSudo } from "../auth/require-sudo";
import { DomainError, notFound } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import { roleAllows, rolesWith, teamRoleSchema } from "../teams/roles";
import { SCOPE_NEEDS } from "./scopes";
import type { createTokenInput, tokenIdInput } from "./token-input";
import { displayPrefix, hashToken, newTokenSecret } from "./token-secret";

type Deps = Pick<Services, "db" | "now">;
type Caller = Pick<Actor, "userId" | "session" | "audit">;

const DAY_MS = 86_400_000;

/** The caller's own tokens (every team), newest first; never the token itself. */
export async function listApiTokens(deps: Pick<Services, "db">, actor: Pick<Actor, "userId">) {
  const rows = await deps.db.apiToken.findMany({
    where: { userId: actor.userId },
    include: { team: { select: { id: true, name: true, deletedAt: true } } },
    orderBy: { id: "desc" },
  });
  return rows.map((t) => ({
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    team: { id: t.team.id, name: t.team.name },
    scopes: t.scopes,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    lastUsedIp: t.lastUsedIp,
    revokedAt: t.revokedAt,
  }));
}

/**
 * A new token for one of the caller's teams, shown once (only its hash is kept). Needs sudo mode;
 * a scope the caller's role in that team could never use is refused.
 */
export async function createApiToken(deps: Deps, actor: Caller, input: z.infer<typeof createTokenInput>) {
  requireSudo(actor.session, deps.now());
  const member = await deps.db.teamMember.findFirst({
    where: { userId: actor.userId, teamId: input.teamId, team: { deletedAt: null } },
    include: { team: { select: { name: true } } },
  });
  if (!member) throw notFound("Team");
  const role = teamRoleSchema.parse(member.role);
  const scopes = [...new Set(input.scopes)].sort();
  const beyond = scopes.filter((s) => !roleAllows(role, SCOPE_NEEDS[s]));
  if (beyond.length > 0) {
    const roles = rolesWith(SCOPE_NEEDS[beyond[0]!]).join(", ");
    throw new DomainError("FORBIDDEN", `Your role in ${member.team.name} is ${role}, so a token cannot have ${beyond.join(", ")} there (that needs ${roles}). Leave those scopes out.`);
  }
  const token = newTokenSecret();
  const now = deps.now();
  const row = await deps.db.apiToken.create({
    data: {
      userId: actor.userId,
      teamId: input.teamId,
      name: input.name,
      tokenHash: hashToken(token),
      prefix: displayPrefix(token),
      scopes,
      expiresAt: input.expiresInDays === null ? null : new Date(now.getTime() + input.expiresInDays * DAY_MS),
    },
  });
  await recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: "api_token_create",
    context: { ...actor.audit, teamId: input.teamId },
    targetType: "api_token",
    targetId: row.id,
    metadata: { name: row.name, scopes, expiresAt: row.expiresAt?.toISOString() ?? null },
  });
  return { id: row.id, name: row.name, prefix: row.prefix, scopes, expiresAt: row.expiresAt, token };
}

/** Revokes one of the caller's tokens at once; the next request with it is refused. */
export async function revokeApiToken(deps: Deps, actor: Caller, { id }: z.infer<typeof tokenIdInput>) {
  const row = await deps.db.apiToken.findFirst({ where: { id, userId: actor.userId } });
  if (!row) throw notFound("Token");
  if (row.revokedAt) return { ok: true as const, revokedAt: row.revokedAt };
  const revokedAt = deps.now();
  await deps.db.apiToken.update({ where: { id }, data: { revokedAt } });
  await recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: "api_token_revoke",
    context: { ...actor.audit, teamId: row.teamId },
    targetType: "api_token",
    targetId: row.id,
    metadata: { name: row.name },
  });
  return { ok: true as const, revokedAt };
}
