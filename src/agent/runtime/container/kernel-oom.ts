import { constants } from "node:fs";
import { open } from "node:fs/promises";

/**
 * Whether the kernel log records a memory-cgroup OOM kill in the container's cgroup. The kernel's
 * "oom-kill:…,oom_memcg=…,task_memcg=…" line names the cgroup, and engines put the container id
 * in that path (/libpod_parent/libpod-<id>, /docker/<id>, …).
 *
 * Needed because Podman with runc on cgroup v1 hosts (the CI machines) often misses OOM kills:
 * its monitor, conmon, can exit on the container's death before it reads the OOM notification,
 * and the container is then reported as a plain SIGKILL (exit 137, OOMKilled false). Reads
 * /dev/kmsg without blocking, only when a container died of SIGKILL; where the log is not
 * readable (no CAP_SYSLOG) the answer is false and the engine's own report stands.
 */
export async function kernelLogShowsOomKill(containerId: string, kmsgPath = "/dev/kmsg"): Promise<boolean> {
  if (!/^[0-9a-f]{12,64}$/.test(containerId)) return false;
  let handle;
  try {
    handle = await open(kmsgPath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    // Each read returns one record; EAGAIN means the end of the buffer, EPIPE that records were
    // overwritten while reading (reading on continues with the oldest one left).
    const buffer = Buffer.alloc(16 * 1024);
    for (let records = 0; records < 200_000; records++) {
      let bytes: number;
      try {
        ({ bytesRead: bytes } = await handle.read(buffer, 0, buffer.length, null));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EPIPE") continue;
        return false;
      }
      if (bytes === 0) return false;
      const record = buffer.toString("utf8", 0, bytes);
      if (record.includes("oom-kill:") && record.includes(containerId)) return true;
    }
    return false;
  } finally {
    await handle.close();
  }
}
