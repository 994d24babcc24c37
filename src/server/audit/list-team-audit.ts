import { z } from "zod";
import type { Actor } from "../auth/actor";
import type { Services } from "../runtime/services";

const PAGE = 50;

export const listTeamAuditInput = z
  .object({ cursor: z.string().regex(/^\d{1,19}$/).optional(), limit: z.number().int().min(1).max(200).default(PAGE) })
  .default({ limit: PAGE });

/**
 * The current team's audit log: who did what, with members' names, newest first. Only events
 * recorded in the team (actor.audit carries the team) and never a member's account events
 * (sign-ins, 2FA): those stay in each user's own log. Addresses and devices are left out.
 */
export async function listTeamAuditEvents(deps: Pick<Services, "db">, actor: Pick<Actor, "userId" | "team">, opts: z.infer<typeof listTeamAuditInput>) {
  const rows = await deps.db.auditEvent.findMany({
    where: {
      teamId: actor.team.id,
      team: { members: { some: { userId: actor.userId } } },
      OR: [{ kind: { startsWith: "app_" } }, { kind: { startsWith: "team_" } }, { kind: { startsWith: "env_" } }, { kind: { startsWith: "domain_" } }, { kind: { startsWith: "webhook_" } }, { kind: { startsWith: "git_token_" } }, { kind: { startsWith: "deployment_" } }, { kind: { startsWith: "api_token_" } }, { kind: "push_refused" }],
      ...(opts.cursor ? { id: { lt: BigInt(opts.cursor) } } : {}),
    },
    include: { user: { select: { id: true, name: true, email: true } } },
    orderBy: { id: "desc" },
    take: opts.limit + 1,
  });
  const page = rows.slice(0, opts.limit);
  return {
    events: page.map((e) => ({
      id: e.id.toString(),
      kind: e.kind,
      createdAt: e.createdAt,
      actor: { id: e.user.id, name: e.user.name || e.user.email, email: e.user.email },
      targetType: e.targetType,
      targetId: e.targetId,
      metadata: e.metadata as Record<string, unknown>,
    })),
    nextCursor: rows.length > opts.limit ? page[page.length - 1]!.id.toString() : null,
  };
}
