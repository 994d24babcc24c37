import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Engine } from "./engine";

const CGROUP_ROOT = "/sys/fs/cgroup";

/**
 * A cgroup parent of its own for one build, so the build's step processes can be found and
 * killed: Podman's service does not stop a running RUN step when the build request goes away
 * (the step ran on for minutes in tests/container/image-build.test.ts). Null for Docker, which
 * cancels a build whose client disconnects, and for unknown cgroup managers.
 */
export async function buildCgroupParent(engine: Engine, label: string): Promise<string | null> {
  if (engine.name !== "podman") return null;
  const driver = await engine.cgroupDriver();
  const unique = `${label.replace(/[^a-z0-9]+/gi, "_")}_${randomBytes(4).toString("hex")}`;
  // systemd names a slice's ancestors with dashes, so the name holds none.
  if (driver === "systemd") return `wisehosting_build_${unique}.slice`;
  if (driver === "cgroupfs") return `/wisehosting-build-${unique}`;
  return null;
}

/** Where the parent's processes are listed: the pids hierarchy on cgroup v1, the one tree on v2. */
function hierarchyDirs(parent: string): string[] {
  const rel = parent.endsWith(".slice") ? parent : parent.replace(/^\/+/, "");
  return [path.join(CGROUP_ROOT, "pids", rel), path.join(CGROUP_ROOT, "unified", rel), path.join(CGROUP_ROOT, rel)];
}

async function pidsUnder(dir: string, depth = 0): Promise<number[]> {
  if (depth > 16) return [];
  const procs = await readFile(path.join(dir, "cgroup.procs"), "utf8").catch(() => "");
  const pids = procs.split("\n").filter(Boolean).map(Number).filter((p) => Number.isInteger(p) && p > 1);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) pids.push(...(await pidsUnder(path.join(dir, entry.name), depth + 1)));
  return pids;
}

/** The processes running in a build's cgroup parent now (its RUN steps' processes, seen from the host). */
export async function buildProcessIds(parent: string): Promise<Set<number>> {
  const pids = new Set<number>();
  for (const dir of hierarchyDirs(parent)) for (const pid of await pidsUnder(dir)) pids.add(pid);
  return pids;
}

/**
 * SIGKILLs every process of a build's cgroup parent (only the agent's own build steps live
 * there). The step then fails like any other, and the engine ends the build and removes its
 * working container, which an aborted request would leave behind. Returns how many were killed.
 */
export async function killBuildProcesses(parent: string): Promise<number> {
  const pids = await buildProcessIds(parent);
  let killed = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
      killed++;
    } catch {
      // already gone, or not ours to signal
    }
  }
  return killed;
}
