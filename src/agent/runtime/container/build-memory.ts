import { readProc } from "../process/process-table";
import { buildProcessIds } from "./build-cancel";

/**
 * Peak resident memory of an image build's RUN steps, measured as the process runtime measures a
 * build step (src/agent/runtime/process/build-limits.ts, BuildMemoryWatch): the resident memory of
 * every process of the step summed, read twice a second. The step's processes are the ones in
 * the build's cgroup parent (build-cancel.ts); the engine enforces the limit itself (the build's
 * memory option), this only reports what a step used, so the build log can say it like the
 * process runtime's "(building: peak memory N MiB of M MiB)".
 */
export class BuildMemorySampler {
  private timer: NodeJS.Timeout | null = null;
  private stepPeak = 0;
  private sampling = false;

  constructor(
    private readonly cgroupParent: string,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** The peak since the last call (the step that just ended), in bytes; 0 when no process ran. */
  takeStepPeak(): number {
    const peak = this.stepPeak;
    this.stepPeak = 0;
    return peak;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      let rss = 0;
      for (const pid of await buildProcessIds(this.cgroupParent)) rss += readProc(pid)?.rssBytes ?? 0;
      if (rss > this.stepPeak) this.stepPeak = rss;
    } finally {
      this.sampling = false;
    }
  }
}
