import type { Db } from "../db/client";
import { SESSION_IDLE_TTL_MS } from "./session-policy";

export interface SessionView {
  id: number;
  ip: string;
  country: string;
  city: string;
  device: string;
  browser: string;
  os: string;
  twoFactor: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  current: boolean;
}

/** Seed ListSessionsForUser: the caller's live sessions, newest first, the current one marked. */
export async function listSessions(db: Db, userId: number, currentSessionId: number, now: Date = new Date()): Promise<SessionView[]> {
  const rows = await db.session.findMany({
    where: {
      userId,
      revokedAt: null,
      expiresAt: { gt: now },
      lastSeenAt: { gte: new Date(now.getTime() - SESSION_IDLE_TTL_MS) },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 200,
  });
  return rows.map((r) => ({
    id: r.id,
    ip: r.ip,
    country: r.country,
    city: r.city,
    device: r.device,
    browser: r.browser,
    os: r.os,
    twoFactor: r.twoFactor,
    createdAt: r.createdAt,
    lastSeenAt: r.lastSeenAt,
    current: r.id === currentSessionId,
  }));
}
