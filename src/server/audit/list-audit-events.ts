import { z } from "zod";
import type { Actor } from "../auth/actor";
import type { Services } from "../runtime/services";
import { auditTargetLabels } from "./audit-target-labels";

const PAGE = 50;

/** `cursor` is the last id of the previous page. */
export const listAuditEventsInput = z
  .object({ cursor: z.string().regex(/^\d{1,19}$/).optional(), limit: z.number().int().min(1).max(200).default(PAGE) })
  .default({ limit: PAGE });

/** The caller's own audit events, newest first, keyset-paginated by id. */
export async function listAuditEvents(deps: Pick<Services, "db">, actor: Pick<Actor, "userId">, opts: z.infer<typeof listAuditEventsInput>) {
  const rows = await deps.db.auditEvent.findMany({
    where: { userId: actor.userId, ...(opts.cursor ? { id: { lt: BigInt(opts.cursor) } } : {}) },
    orderBy: { id: "desc" },
    take: opts.limit + 1,
  });
  const page = rows.slice(0, opts.limit);
  const labels = await auditTargetLabels(deps, page.map((e) => ({ targetType: e.targetType, targetId: e.targetId, metadata: (e.metadata ?? {}) as Record<string, unknown> })));
  return {
    events: page.map((e, i) => ({
      id: e.id.toString(),
      kind: e.kind,
      createdAt: e.createdAt,
      ip: e.ip,
      device: e.device,
      browser: e.browser,
      os: e.os,
      country: e.country,
      city: e.city,
      targetType: e.targetType,
      targetId: e.targetId,
      /** What the event was about, by name ("app shop"); null for account events. */
      target: labels[i] ?? null,
      metadata: e.metadata as Record<string, unknown>,
    })),
    nextCursor: rows.length > opts.limit ? page[page.length - 1]!.id.toString() : null,
  };
}
