import type { AppSample } from "../app-runtime";
import { CLOCK_TICKS, appMembers, readIoBytes, readProcessTable, type ProcInfo } from "./process-table";

/** What /proc tells about one app; the runtime adds the app's id, its plan's memory limit and the network figures (none without a namespace). */
export type AppUsage = Omit<AppSample, "appId" | "memLimitBytes" | "netMbps" | "netTotalBytes">;

interface Previous {
  at: number;
  cpuTicks: number;
  ioBytes: number;
}

/**
 * CPU, memory and disk I/O per app, summed over each app's process tree from /proc. CPU and disk
 * are rates, so the first sample of an app only sets the baseline and reports 0.
 */
export class UsageSampler {
  private readonly previous = new Map<number, Previous>();

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly table: () => ProcInfo[] = readProcessTable,
  ) {}

  sample(apps: Array<{ appId: number; pid: number; pgid: number }>): Map<number, AppUsage> {
    const table = this.table();
    const at = this.now();
    const result = new Map<number, AppUsage>();
    const live = new Set<number>();
    for (const app of apps) {
      live.add(app.appId);
      const members = appMembers(table, app.pid, app.pgid);
      const cpuTicks = members.reduce((sum, p) => sum + p.cpuTicks, 0);
      const ioBytes = members.reduce((sum, p) => sum + readIoBytes(p.pid), 0);
      const memBytes = members.reduce((sum, p) => sum + p.rssBytes, 0);
      const prev = this.previous.get(app.appId);
      let cpuPct = 0;
      let diskMbps = 0;
      if (prev && at > prev.at) {
        const seconds = (at - prev.at) / 1000;
        cpuPct = Math.max(0, ((cpuTicks - prev.cpuTicks) / CLOCK_TICKS / seconds) * 100);
        diskMbps = Math.max(0, (ioBytes - prev.ioBytes) / 1e6 / seconds);
      }
      this.previous.set(app.appId, { at, cpuTicks, ioBytes });
      result.set(app.appId, { cpuPct: round(cpuPct), memBytes, diskMbps: round(diskMbps), processCount: members.length });
    }
    for (const id of this.previous.keys()) if (!live.has(id)) this.previous.delete(id);
    return result;
  }

  /** Forgets an app's baseline (its processes were replaced). */
  reset(appId: number): void {
    this.previous.delete(appId);
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
