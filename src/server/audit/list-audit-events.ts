import type { Db } from "../db/client";

/** Seed ListAuditEvents: one user's events, newest first, keyset-paginated by id. */
export async function listAuditEvents(db: Db, userId: number, opts: { cursor?: string; limit: number }) {
  const rows = await db.auditEvent.findMany({
    where: { userId, ...(opts.cursor ? { id: { lt: BigInt(opts.cursor) } } : {}) },
    orderBy: { id: "desc" },
    take: opts.limit + 1,
  });
  const page = rows.slice(0, opts.limit);
  return {
    events: page.map((e) => ({
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
      metadata: e.metadata as Record<string, unknown>,
    })),
    nextCursor: rows.length > opts.limit ? page[page.length - 1]!.id.toString() : null,
  };
}
