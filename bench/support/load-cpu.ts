import { readdirSync, readFileSync } from "node:fs";
import { procUsage } from "./proc-usage";

/** Busy CPU seconds of the whole machine (every core), from /proc/stat. */
function machineBusySeconds(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
}

/** Which role a process plays, from its command line; undefined when it is none of the benchmark's. */
export type RoleOf = (pid: number, cmdline: string, environ: string) => string | undefined;

/**
 * CPU seconds per role over a window, sampled every second so processes that are killed (or
 * start) inside the window are counted for the part they lived in it, beside the machine's busy
 * seconds: what the rest is, is other people's work on the same cores.
 */
export class CpuAccount {
  private readonly seen = new Map<number, { role: string; first: number; last: number }>();
  private readonly machineStart = machineBusySeconds();
  private machineEnd = this.machineStart;
  private readonly wallStart = performance.now();
  private wallEnd = this.wallStart;
  private readonly timer: NodeJS.Timeout;
  private firstPass = true;

  constructor(private readonly roleOf: RoleOf) {
    this.sample();
    this.firstPass = false;
    this.timer = setInterval(() => this.sample(), 1_000);
  }

  private sample(): void {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      try {
        const known = this.seen.get(pid);
        if (known) {
          known.last = procUsage(pid).cpuSeconds;
          continue;
        }
        const role = this.roleOf(pid, readFileSync(`/proc/${pid}/cmdline`, "utf8"), readFileSync(`/proc/${pid}/environ`, "utf8"));
        if (!role) continue;
        const cpu = procUsage(pid).cpuSeconds;
        // Alive at the window's start: only what it uses from now on; born inside it: all of it.
        this.seen.set(pid, { role, first: this.firstPass ? cpu : 0, last: cpu });
      } catch {
        // Gone meanwhile, or not ours to read.
      }
    }
  }

  stop(): { wallSeconds: number; machineBusy: number; roles: Record<string, number> } {
    clearInterval(this.timer);
    this.sample();
    this.machineEnd = machineBusySeconds();
    this.wallEnd = performance.now();
    const roles: Record<string, number> = {};
    for (const { role, first, last } of this.seen.values()) roles[role] = (roles[role] ?? 0) + (last - first);
    return { wallSeconds: (this.wallEnd - this.wallStart) / 1000, machineBusy: this.machineEnd - this.machineStart, roles };
  }
}
