import type { Actor } from "../auth/actor";
import type { Services } from "../runtime/services";
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

/** The caller's live sessions, newest first, the current one marked. */
export async function listSessions(deps: Pick<Services, "db" | "now">, actor: Pick<Actor, "userId" | "session">): Promise<SessionView[]> {
  const now = deps.now();
  const rows = await deps.db.session.findMany({
    where: {
      userId: actor.userId,
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
    current: r.id === actor.session.id,
  }));
}
