import { TRPCClientError } from "@trpc/client";

/**
 * True when a live stream was ended by the server because its session ended (signed out, revoked,
 * replaced at re-auth) or the team membership it showed did: the stream is not retried, and the page should say so rather than
 * "reconnecting" (src/server/trpc/routers/live-stream.ts).
 */
export function liveSessionEnded(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data?.code === "UNAUTHORIZED" || Boolean((error.data as { details?: { sessionEnded?: boolean } } | undefined)?.details?.sessionEnded));
}

export const SESSION_ENDED_TEXT = "stopped: the session this page was opened with ended (signed out or revoked), or you are no longer a member of the team. Reload the page; sign in again if asked.";
