import type { Db } from "../db/client";
import type { AuditKind } from "./audit-kinds";

export interface AuditContext {
  ip?: string;
  userAgent?: string;
  device?: string;
  browser?: string;
  os?: string;
  country?: string;
  city?: string;
  sessionId?: number | null;
  /** The team the action happened in (the per-team audit log); actor.audit carries it. */
  teamId?: number | null;
  /** The API token the action was taken with (src/server/api-tokens/token-caller.ts). */
  apiTokenId?: number | null;
}

export interface AuditEventInput {
  userId: number;
  kind: AuditKind;
  context?: AuditContext;
  targetType?: string;
  targetId?: string | number;
  metadata?: Record<string, unknown>;
}

/** Append-only insert into audit_events; `db` may be a transaction, so the event commits with the change it records. */
export async function recordAuditEvent(db: Pick<Db, "auditEvent">, input: AuditEventInput): Promise<void> {
  const c = input.context ?? {};
  await db.auditEvent.create({
    data: {
      userId: input.userId,
      kind: input.kind,
      ip: c.ip ?? "",
      userAgent: (c.userAgent ?? "").slice(0, 512),
      device: c.device ?? "",
      browser: c.browser ?? "",
      os: c.os ?? "",
      country: c.country ?? "",
      city: c.city ?? "",
      sessionId: c.sessionId ?? null,
      teamId: c.teamId ?? null,
      apiTokenId: c.apiTokenId ?? null,
      targetType: input.targetType ?? null,
      targetId: input.targetId === undefined ? null : String(input.targetId),
      metadata: (input.metadata ?? {}) as object,
    },
  });
}
