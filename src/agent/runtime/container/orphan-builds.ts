import { buildProcessIds, fenceBuild, killBuildProcesses, removeBuildCgroup, workerBuildCgroups } from "./build-cancel";

export interface OrphanBuildSweep {
  /** Cgroup parents of builds a previous run of this worker left running. */
  builds: string[];
  /** Step processes killed at once. */
  killed: number;
  /** Resolves once every found build has had no process for `quietMs` and its cgroup is removed (or within `intervalMs` of `stop()`). */
  done: Promise<void>;
  stop(): void;
}

export interface OrphanBuildOptions {
  /** How long a fenced build must show no process before its cgroup is removed (default 30 s). */
  quietMs?: number;
  /** Between looks (default 1 s). */
  intervalMs?: number;
}

/**
 * Stops the image builds a killed run of this agent left in the engine. Podman's service goes on
 * building after its client is gone, so a build of the previous run would otherwise run its
 * steps to the end and tag an image nobody deploys. A build is found by its cgroup parent,
 * whose name carries the worker (build-cancel.ts, buildCgroupParent); only this worker's are
 * touched, and at start this run owns none. Each is fenced (no step can start a process again),
 * its processes are killed, and it is watched and killed again until it has been quiet for a
 * while, so a step that was between processes when the agent died fails too; then its empty
 * cgroup directories are removed. The engine itself ends each failed build and removes its
 * working container.
 */
export async function stopOrphanBuilds(workerName: string, options: OrphanBuildOptions = {}): Promise<OrphanBuildSweep> {
  const quietMs = options.quietMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 1_000;
  const builds = await workerBuildCgroups(workerName);
  let killed = 0;
  for (const parent of builds) {
    await fenceBuild(parent);
    killed += await killBuildProcesses(parent);
  }
  let stopped = false;
  const pause = () => new Promise<void>((resolve) => setTimeout(resolve, intervalMs).unref());
  const watch = async (parent: string) => {
    let quietSince = Date.now();
    while (!stopped) {
      if ((await buildProcessIds(parent)).size > 0) {
        await killBuildProcesses(parent);
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= quietMs) {
        await removeBuildCgroup(parent);
        return;
      }
      await pause();
    }
  };
  const done = Promise.all(builds.map((b) => watch(b))).then(() => undefined);
  return {
    builds,
    killed,
    done,
    stop: () => {
      stopped = true;
    },
  };
}
