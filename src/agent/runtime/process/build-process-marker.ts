import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { readProc, readProcessTable } from "./process-table";

const MARKER = "build-process.json";

/**
 * Notes the running build step's process group in its release directory, so an agent that was
 * killed mid-build can end the orphaned step (an npm install still writing into a directory about
 * to be removed) when it starts again. An app process started and not yet taken over
 * (AppSupervisor.launchCandidate) is noted the same way.
 */
export async function recordBuildProcess(releaseDir: string, pid: number): Promise<void> {
  const startTime = readProc(pid)?.startTime ?? 0;
  await writeFile(path.join(releaseDir, MARKER), JSON.stringify({ pid, startTime }), { mode: 0o600 }).catch(() => undefined);
}

/**
 * Kills what is left of the build step recorded in `releaseDir`. When the agent died, npm itself
 * usually died too (its output pipe broke) while the script it ran goes on in the same process
 * group, so the group is what is checked and killed, not just its leader.
 */
export async function killRecordedBuild(releaseDir: string): Promise<number> {
  let marker: { pid?: unknown; startTime?: unknown };
  try {
    marker = JSON.parse(await readFile(path.join(releaseDir, MARKER), "utf8"));
  } catch {
    return 0;
  }
  const { pid, startTime } = marker;
  if (typeof pid !== "number" || typeof startTime !== "number") return 0;
  const leader = readProc(pid);
  // A live leader with another start time means the pid was reused: not our build.
  if (leader && leader.state !== "Z" && leader.startTime !== startTime) return 0;
  // Members of the build's group started after its leader; anything older is not ours.
  const members = readProcessTable().filter((p) => p.pgrp === pid && p.state !== "Z" && p.startTime >= startTime);
  if (members.length === 0) return 0;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    return 0;
  }
  return members.length;
}
