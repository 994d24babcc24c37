import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/** One agent per state directory: two would fight over the same apps and ports. */
export async function acquireInstanceLock(stateDir: string): Promise<() => Promise<void>> {
  const file = path.join(stateDir, "agent.pid");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      return async () => {
        await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number((await readFile(file, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new Error(`another agent (pid ${pid}) already uses ${stateDir}; stop it or pass a different --state-dir`);
      }
      // Left behind by an agent that died without cleaning up.
      await rm(file, { force: true });
    }
  }
  throw new Error(`could not lock ${stateDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
