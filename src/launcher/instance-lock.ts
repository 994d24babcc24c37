import { isHeld, tryPidLock } from "../os/pid-lock";

export class AlreadyRunningError extends Error {
  constructor(readonly pid: number, readonly startedAt: string) {
    super(
      `WiseHosting is already running from this folder (launcher pid ${pid}, started ${startedAt}).\n` +
        `Stop it first (Ctrl-C in its terminal, or \`kill ${pid}\`), or point a second copy at other data with DATA_DIR=... WEB_PORT=... HUB_PORT=...`,
    );
    this.name = "AlreadyRunningError";
  }
}

/**
 * One launcher per data folder: a second `npm start` would otherwise start a second Postgres on
 * the same data directory. A lock left by a crashed launcher (dead pid) is taken over.
 */
export function acquireInstanceLock(file: string): () => void {
  const lock = tryPidLock(file);
  if (!isHeld(lock)) throw new AlreadyRunningError(lock.pid, lock.since.toISOString());
  return () => lock.release();
}
