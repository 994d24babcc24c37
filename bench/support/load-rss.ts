import { procUsage } from "./proc-usage";

export interface RssPoint {
  at: number;
  pid: number;
  rssBytes: number;
}

/** One process's run between restarts: its first, peak and last RSS. */
export interface RssSegment {
  pid: number;
  from: number;
  to: number;
  first: number;
  peak: number;
  last: number;
  points: RssPoint[];
}

/**
 * Samples a process's RSS every `everyMs` from /proc, following it across restarts: when the pid
 * it knows is gone, it asks `findPid` again (the restarted process has a new one).
 */
export class RssSampler {
  readonly points: RssPoint[] = [];
  private pid: number | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly findPid: () => number | undefined,
    everyMs: number,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    for (let tries = 0; tries < 2; tries++) {
      this.pid ??= this.findPid();
      if (this.pid === undefined) return;
      try {
        this.points.push({ at: performance.now(), pid: this.pid, rssBytes: procUsage(this.pid).rssBytes });
        return;
      } catch {
        this.pid = undefined; // Gone: killed or restarting.
      }
    }
  }

  stop(): RssSegment[] {
    clearInterval(this.timer);
    const segments: RssSegment[] = [];
    for (const p of this.points) {
      const current = segments[segments.length - 1];
      if (!current || current.pid !== p.pid) segments.push({ pid: p.pid, from: p.at, to: p.at, first: p.rssBytes, peak: p.rssBytes, last: p.rssBytes, points: [p] });
      else {
        current.to = p.at;
        current.peak = Math.max(current.peak, p.rssBytes);
        current.last = p.rssBytes;
        current.points.push(p);
      }
    }
    return segments;
  }
}
