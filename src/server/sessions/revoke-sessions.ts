import { z } from "zod";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { Actor } from "../auth/actor";
import { auditContext } from "../auth/client-context";
import { requireSudo } from "../auth/require-sudo";
import { notFound, validation } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import { announceSessionsEnded } from "./sessions-ended";

type Deps = Pick<Services, "db" | "now" | "bus" | "log">;
type Caller = Pick<Actor, "userId" | "session" | "client">;

export const revokeSessionInput = z.object({ id: z.number().int().positive().max(2_147_483_647) });

/**
 * Revokes one of the caller's sessions, scoped to the owner: another user's session id is "not
 * found". Revoking an already revoked session is harmless and still reports success.
 */
export async function revokeSession(deps: Deps, actor: Caller, input: z.infer<typeof revokeSessionInput>): Promise<{ revoked: true }> {
  if (input.id === actor.session.id) throw validation("This is the session you are using. Use Sign out instead.");
  const owned = await deps.db.session.findFirst({ where: { id: input.id, userId: actor.userId }, select: { id: true } });
  if (!owned) throw notFound("Session");
  const revoked = await deps.db.session.updateMany({ where: { id: input.id, userId: actor.userId, revokedAt: null }, data: { revokedAt: deps.now() } });
  if (revoked.count === 1) await announceSessionsEnded(deps, actor.userId, [input.id]);
  await recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: "session_revoked",
    context: auditContext(actor.client, actor.session.id),
    targetType: "session",
    targetId: input.id,
    metadata: { via: "dashboard" },
  });
  return { revoked: true };
}

/** Sudo. Signs out every live session of the caller except the current one. */
export async function revokeOtherSessions(deps: Deps, actor: Caller): Promise<{ revoked: number }> {
  requireSudo(actor.session, deps.now());
  const revoked = await deps.db.session.updateManyAndReturn({
    where: { userId: actor.userId, id: { not: actor.session.id }, revokedAt: null },
    data: { revokedAt: deps.now() },
    select: { id: true },
  });
  const count = revoked.length;
  await announceSessionsEnded(deps, actor.userId, revoked.map((s) => s.id));
  await recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: "session_revoked",
    context: auditContext(actor.client, actor.session.id),
    metadata: { via: "dashboard", scope: "others", count },
  });
  return { revoked: count };
}
