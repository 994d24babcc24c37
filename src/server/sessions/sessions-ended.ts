import type { Services } from "../runtime/services";

/** Ids per bus message: 500 ids stay far below Postgres NOTIFY's 8000 bytes. */
const IDS_PER_MESSAGE = 500;

/**
 * Tells every web process that these sessions ended, so live streams opened with them close now
 * (src/server/apps/live/session-guard.ts). Called after the rows are revoked. A bus failure is
 * logged, never thrown: the revocation itself already happened, and each stream re-checks its
 * session row periodically anyway.
 */
export async function announceSessionsEnded(deps: Pick<Services, "bus" | "log">, userId: number, sessionIds: number[]): Promise<void> {
  for (let i = 0; i < sessionIds.length; i += IDS_PER_MESSAGE) {
    const batch = sessionIds.slice(i, i + IDS_PER_MESSAGE);
    try {
      await deps.bus.publish("session.revoked", { userId, sessionIds: batch });
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, userId, sessions: batch.length }, "could not announce ended sessions; open streams close at their next session check");
    }
  }
}
