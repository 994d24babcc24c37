import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, rm } from "node:fs/promises";

export class LockTimeoutError extends Error {
  override name = "LockTimeoutError";
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes a dead owner's lock. Renaming first is atomic, so of several waiters that all saw the
 * dead pid only one moves the file; a waiter that instead moved a lock someone just took puts it
 * back (link refuses to overwrite).
 */
async function takeOverStale(lockPath: string, deadOwner: number): Promise<void> {
  const grave = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await rename(lockPath, grave);
  } catch {
    return;
  }
  const moved = Number((await readFile(grave, "utf8").catch(() => "")).trim());
  if (moved !== deadOwner) await link(grave, lockPath).catch(() => {});
  await rm(grave, { force: true });
}

/**
 * Runs `fn` while holding an exclusive lock file (created with O_EXCL, holding the owner's pid),
 * so processes on one machine — parallel test files, an agent and a script — take turns. A lock
 * left by a process that died is taken over.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  const token = `${process.pid}\n`;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx", 0o600);
      await handle.writeFile(token);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = Number((await readFile(lockPath, "utf8").catch(() => "")).trim());
    // An empty file is a lock being written right now; only a dead owner's lock is stale.
    if (owner > 0 && owner !== process.pid && !alive(owner)) {
      await takeOverStale(lockPath, owner);
      continue;
    }
    if (Date.now() > deadline) throw new LockTimeoutError(`${lockPath} is still held by pid ${owner || "unknown"}`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
  }
  try {
    return await fn();
  } finally {
    if ((await readFile(lockPath, "utf8").catch(() => "")) === token) await rm(lockPath, { force: true });
  }
}
