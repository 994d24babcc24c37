import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Engine } from "./engine";

const CGROUP_ROOT = "/sys/fs/cgroup";

/** A parent's path below a hierarchy's root: a systemd slice by its name, a cgroupfs path without its leading slash. */
const relativeOf = (parent: string) => (parent.endsWith(".slice") ? parent : parent.replace(/^\/+/, ""));

/**
 * The worker's mark in its builds' cgroup names: a digest, because worker names may hold dashes
 * (systemd's hierarchy separator) and other characters a cgroup name should not.
 */
export function workerBuildTag(workerName: string): string {
  return createHash("sha256").update(workerName).digest("hex").slice(0, 12);
}

/** How this worker's build cgroup parents begin, per cgroup manager. */
function buildCgroupPrefixes(workerName: string): { systemd: string; cgroupfs: string } {
  const tag = workerBuildTag(workerName);
  return { systemd: `wisehosting_build_${tag}_`, cgroupfs: `wisehosting-build-${tag}-` };
}

/**
 * A cgroup parent of its own for one build, so the build's step processes can be found and
 * killed: Podman's service does not stop a running RUN step when the build request goes away
 * (the step ran on for minutes in tests/container/image-build.test.ts). The name carries the
 * worker (workerBuildTag), so the agent's next run finds the builds a killed run left
 * (orphan-builds.ts). Null for Docker, which cancels a build whose client disconnects, and for
 * unknown cgroup managers.
 */
export async function buildCgroupParent(engine: Engine, workerName: string, label: string): Promise<string | null> {
  if (engine.name !== "podman") return null;
  const driver = await engine.cgroupDriver();
  const unique = `${label.replace(/[^a-z0-9]+/gi, "_")}_${randomBytes(4).toString("hex")}`;
  const prefix = buildCgroupPrefixes(workerName);
  // systemd names a slice's ancestors with dashes, so the name holds none.
  if (driver === "systemd") return `${prefix.systemd}${unique}.slice`;
  if (driver === "cgroupfs") return `/${prefix.cgroupfs}${unique}`;
  return null;
}

/** The cgroup parents of this worker's builds that exist now (whoever started them), as buildCgroupParent names them. */
export async function workerBuildCgroups(workerName: string): Promise<string[]> {
  const prefix = buildCgroupPrefixes(workerName);
  const found = new Set<string>();
  for (const root of [path.join(CGROUP_ROOT, "pids"), path.join(CGROUP_ROOT, "unified"), CGROUP_ROOT]) {
    for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory()) continue;
      if (entry.name.startsWith(prefix.cgroupfs)) found.add(`/${entry.name}`);
      else if (entry.name.startsWith(prefix.systemd) && entry.name.endsWith(".slice")) found.add(entry.name);
    }
  }
  return [...found];
}

/**
 * Sets the build's pids limit to 0, so none of its steps can start a process again: a build
 * whose agent is gone would otherwise go on to its next RUN step after its running one is
 * killed. The step fails, and the engine ends the build and removes its working container.
 * False when no pids controller holds the parent.
 */
export async function fenceBuild(parent: string): Promise<boolean> {
  for (const dir of hierarchyDirs(parent)) {
    try {
      await writeFile(path.join(dir, "pids.max"), "0");
      return true;
    } catch {
      // not this hierarchy
    }
  }
  return false;
}

/** Removes the parent's (empty) directories in every hierarchy, deepest first; one still holding a process stays. */
export async function removeBuildCgroup(parent: string): Promise<void> {
  const rel = relativeOf(parent);
  const roots = [CGROUP_ROOT, ...(await readdir(CGROUP_ROOT, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => path.join(CGROUP_ROOT, e.name))];
  const removeTree = async (dir: string, depth = 0): Promise<void> => {
    if (depth > 16) return;
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) if (entry.isDirectory()) await removeTree(path.join(dir, entry.name), depth + 1);
    await rmdir(dir).catch(() => undefined);
  };
  for (const root of roots) await removeTree(path.join(root, rel));
}

/** Where the parent's processes are listed: the pids hierarchy on cgroup v1, the one tree on v2. */
function hierarchyDirs(parent: string): string[] {
  const rel = relativeOf(parent);
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
