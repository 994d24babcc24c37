/**
 * The hub cancelled the job (a `cancel` frame, docs/worker-protocol.md): the build stops where it
 * is, its processes are killed, and the previous release keeps serving.
 */
export class JobCancelledError extends Error {
  override name = "JobCancelledError";
  constructor(what: string) {
    super(`cancelled ${what}`);
  }
}

/** Throws when the job was cancelled; called between steps so nothing new starts after a cancel. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new JobCancelledError(what);
}
