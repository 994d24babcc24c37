import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

export class AlreadyRunningError extends Error {
  constructor(readonly pid: number, readonly startedAt: string) {
    super(
      `WiseHosting is already running from this folder (launcher pid ${pid}, started ${startedAt}).\n` +
        `Stop it first (Ctrl-C in its terminal, or \`kill ${pid}\`), or point a second copy at other data with DATA_DIR=... WEB_PORT=... HUB_PORT=...`,
    );
    this.name = "AlreadyRunningError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One launcher per data folder: a second `npm start` would otherwise start a second Postgres on
 * the same data directory. A lock left by a crashed launcher (dead pid) is taken over.
 */
export function acquireInstanceLock(file: string): () => void {
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let holder: { pid?: number; startedAt?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, "utf8"));
      } catch {
        // An unreadable lock (torn write) is treated as stale.
      }
      if (holder.pid && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new AlreadyRunningError(holder.pid, holder.startedAt ?? "unknown");
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the launcher lock ${file}`);
}
