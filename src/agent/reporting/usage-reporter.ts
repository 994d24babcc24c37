import type { HeartbeatPayload } from "../../protocol/worker-messages";
import type { Uplink } from "../connection/uplink";
import type { AgentLogger } from "../logger";
import type { AppRuntime, AppSample } from "../runtime/app-runtime";

/**
 * app_stats every statsSeconds, heartbeat every heartbeatSeconds (10 s and 30 s by default;
 * docs/worker-protocol.md, "Keep-alive, back-pressure, replacement", asks for 15–30 s heartbeats),
 * and the disk check every few minutes.
 */
export class UsageReporter {
  private timers: NodeJS.Timeout[] = [];
  private latest: AppSample[] = [];

  constructor(
    private readonly runtime: AppRuntime,
    private readonly link: Uplink,
    private readonly log: AgentLogger,
    private readonly intervals: { heartbeatMs: number; statsMs: number; diskMs: number },
  ) {}

  start(): void {
    const stats = setInterval(() => this.sendStats(), this.intervals.statsMs);
    const heartbeat = setInterval(() => this.sendHeartbeat(), this.intervals.heartbeatMs);
    // Measure at once so the first heartbeat after connecting carries real numbers.
    this.latest = this.safeSample();
    const disk = setInterval(() => {
      void this.runtime.checkDisk().catch((err: Error) => this.log.warn({ err: err.message }, "disk check failed"));
    }, this.intervals.diskMs);
    this.timers = [stats, heartbeat, disk];
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /**
   * One frame per app: the hub refuses an app_stats frame whole when any entry is not this
   * worker's (an app deleted while we were away), and that must not hide the other apps' numbers.
   */
  sendStats(): void {
    this.latest = this.safeSample();
    for (const s of this.latest) {
      this.link.send("app_stats", {
        apps: [
          {
            app_id: s.appId,
            cpu_pct: s.cpuPct,
            mem_bytes: s.memBytes,
            mem_limit: s.memLimitBytes,
            net_mbps: s.netMbps,
            net_total_bytes: s.netTotalBytes,
            disk_mbps: s.diskMbps,
          },
        ],
      });
    }
  }

  heartbeat(): HeartbeatPayload {
    const running = this.runtime.appStates().filter((a) => a.status === "running").length;
    return {
      status: "online",
      cpu_used: Math.round(this.latest.reduce((sum, s) => sum + s.cpuPct, 0)) / 100,
      mem_used: Math.round(this.latest.reduce((sum, s) => sum + s.memBytes, 0) / 1048576),
      disk_used: this.runtime.diskUsedMb(),
      running_apps: running,
    };
  }

  sendHeartbeat(): void {
    this.link.send("heartbeat", this.heartbeat());
  }

  private safeSample(): AppSample[] {
    try {
      return this.runtime.sampleUsage();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "could not read /proc for app usage");
      return [];
    }
  }
}
