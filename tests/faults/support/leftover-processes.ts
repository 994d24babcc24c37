import { readlinkSync } from "node:fs";
import { readProcessTable } from "../../../src/agent/runtime/process/process-table";

/**
 * Processes still working inside `dir` (their current directory is in it): after the platform
 * stopped, these are apps or builds it left behind. Uses the agent's own /proc reader
 * (src/agent/runtime/process/process-table.ts).
 */
export function processesWorkingIn(dir: string): Array<{ pid: number; pgrp: number; cwd: string }> {
  const found: Array<{ pid: number; pgrp: number; cwd: string }> = [];
  for (const p of readProcessTable()) {
    if (p.pid === process.pid || p.state === "Z") continue;
    let cwd: string;
    try {
      cwd = readlinkSync(`/proc/${p.pid}/cwd`);
    } catch {
      continue; // Gone meanwhile, or not ours to read.
    }
    if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push({ pid: p.pid, pgrp: p.pgrp, cwd });
  }
  return found;
}

/** kill -9 of each leftover's process group; returns what was found, for the suite to report. */
export function killLeftovers(dir: string): string[] {
  const left = processesWorkingIn(dir);
  for (const p of left) {
    try {
      process.kill(-p.pgrp, "SIGKILL");
    } catch {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
  return left.map((p) => `pid ${p.pid} in ${p.cwd}`);
}
