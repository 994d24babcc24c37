import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";

/**
 * One pid-file lock for every "one of us at a time" rule on a machine: one launcher per data
 * folder (src/launcher/platform.ts), one agent per state directory (src/agent/agent.ts), one base
 * image build at a time (src/agent/runtime/container/base-image.ts).
 *
 * The file is created with O_EXCL and holds the owner's pid as plain text ("1234\n"), which
 * scripts and tests read as is. A lock whose owner is dead is taken over; an empty file younger
 * than a few seconds is a lock being written right now and counts as held.
 */
export interface LockHolder {
  /** 0 while the owner is still writing its pid. */
  pid: number;
  /** When the lock was taken (the file's modification time). */
  since: Date;
}

export interface HeldLock {
  release(): void;
}

const WRITING_GRACE_MS = 5_000;

/**
 * Locks this process holds now. A lock file naming our own pid is ours only if we took it; else it
 * was left by an earlier process that had the same pid (a restarted container's pid 1) and is stale.
 */
const heldHere = new Set<string>();

/** Takes the lock, or answers who holds it. Never waits. */
export function tryPidLock(file: string): HeldLock | LockHolder {
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return ownLock(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = readHolder(file);
    if (!holder) continue; // Removed meanwhile: try again.
    if (holder.pid === 0 && Date.now() - holder.since.getTime() < WRITING_GRACE_MS) return holder;
    if (holder.pid === process.pid ? heldHere.has(resolve(file)) : holder.pid !== 0 && isAlive(holder.pid)) return holder;
    takeOverStale(file, holder.pid);
  }
  const holder = readHolder(file);
  if (holder) return holder;
  throw new Error(`could not take the lock ${file}`);
}

export function isHeld(result: HeldLock | LockHolder): result is HeldLock {
  return "release" in result;
}

/** Runs `fn` holding the lock, waiting (polling) while another live process holds it. */
export async function withPidLock<T>(file: string, fn: () => Promise<T>, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const result = tryPidLock(file);
    if (isHeld(result)) {
      try {
        return await fn();
      } finally {
        result.release();
      }
    }
    if (Date.now() > deadline) throw new LockTimeoutError(`${file} is still held by pid ${result.pid || "unknown"}`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
  }
}

export class LockTimeoutError extends Error {
  override name = "LockTimeoutError";
}

function ownLock(file: string): HeldLock {
  let released = false;
  heldHere.add(resolve(file));
  return {
    release() {
      if (released) return;
      released = true;
      heldHere.delete(resolve(file));
      // Only our own lock: if it was taken over meanwhile, the file is someone else's now.
      if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}

/** The holder recorded in `file`; plain pids and the older JSON form (`{"pid":…}`) both read. */
function readHolder(file: string): LockHolder | undefined {
  let text: string;
  let since: Date;
  try {
    text = readFileSync(file, "utf8").trim();
    since = statSync(file).mtime;
  } catch {
    return undefined;
  }
  let pid = Number(text);
  if (!Number.isInteger(pid) && text.startsWith("{")) {
    try {
      pid = Number((JSON.parse(text) as { pid?: unknown }).pid);
    } catch {
      pid = NaN;
    }
  }
  return { pid: Number.isInteger(pid) && pid > 0 ? pid : 0, since };
}

/**
 * Removes a dead owner's lock. Renaming first is atomic, so of several processes that all saw
 * the dead pid only one moves the file; one that instead moved a lock just taken by someone else
 * puts it back (link refuses to overwrite).
 */
function takeOverStale(file: string, deadOwner: number): void {
  const grave = `${file}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(file, grave);
  } catch {
    return;
  }
  if (readHolder(grave)?.pid !== deadOwner) {
    try {
      linkSync(grave, file);
    } catch {
      // Someone holds the lock again: ours was the stale one after all.
    }
  }
  rmSync(grave, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
