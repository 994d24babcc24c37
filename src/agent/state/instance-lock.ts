import path from "node:path";
import { isHeld, tryPidLock } from "../../os/pid-lock";

/** One agent per state directory: two would fight over the same apps and ports. */
export async function acquireInstanceLock(stateDir: string): Promise<() => Promise<void>> {
  const lock = tryPidLock(path.join(stateDir, "agent.pid"));
  if (!isHeld(lock)) {
    throw new Error(`another agent (pid ${lock.pid || "starting"}) already uses ${stateDir}; stop it or pass a different --state-dir`);
  }
  return async () => lock.release();
}
