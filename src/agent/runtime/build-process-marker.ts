import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { isSameProcessAlive, readProc } from "./process-table";

const MARKER = "build-process.json";

/**
 * Notes the running build step's process group in its release directory, so an agent that was
 * killed mid-build can end the orphaned step (an npm install still writing into a directory about
 * to be removed) when it starts again.
 */
export async function recordBuildProcess(releaseDir: string, pid: number): Promise<void> {
  const startTime = readProc(pid)?.startTime ?? 0;
  await writeFile(path.join(releaseDir, MARKER), JSON.stringify({ pid, startTime }), { mode: 0o600 }).catch(() => undefined);
}

/** Kills the build step recorded in `releaseDir` if that very process still runs. */
export async function killRecordedBuild(releaseDir: string): Promise<boolean> {
  let marker: { pid?: unknown; startTime?: unknown };
  try {
    marker = JSON.parse(await readFile(path.join(releaseDir, MARKER), "utf8"));
  } catch {
    return false;
  }
  const { pid, startTime } = marker;
  if (typeof pid !== "number" || typeof startTime !== "number" || !isSameProcessAlive(pid, startTime)) return false;
  try {
    process.kill(-pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}
