/**
 * Where a log follower stopped: the timestamp of the last line delivered, exactly as the engine
 * wrote it, and how many lines carried that same timestamp. Podman's compatible API stamps log
 * lines with whole seconds (RFC 3339) and Docker with nanoseconds; either way, asking again with
 * `since` = that time and skipping `seen` lines at it resumes with no duplicate and no gap.
 */
export interface LogCursor {
  time: string;
  seen: number;
}

/** Seconds and nanoseconds since the epoch of an RFC 3339 timestamp, or null when it is not one. */
export function parseLogTime(time: string): { seconds: number; nanos: number } | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return null;
  return { seconds: Math.floor(ms / 1000), nanos: Number((m[2] ?? "").padEnd(9, "0")) };
}

/** Orders two engine timestamps: negative, zero or positive. Unparseable ones sort first. */
export function compareLogTimes(a: string, b: string): number {
  const pa = parseLogTime(a);
  const pb = parseLogTime(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  return pa.seconds - pb.seconds || pa.nanos - pb.nanos;
}

/** The `since` query value for a cursor: Unix seconds with the fraction both engines parse. */
export function sinceParam(cursor: LogCursor): string | null {
  const t = parseLogTime(cursor.time);
  if (!t) return null;
  return t.nanos ? `${t.seconds}.${String(t.nanos).padStart(9, "0")}` : String(t.seconds);
}

/** Decides, line by line, what a resumed follower has delivered already, and moves the cursor on. */
export class LogResume {
  private skipping: LogCursor | null;
  cursor: LogCursor | null;

  constructor(from: LogCursor | null) {
    this.skipping = from ? { ...from } : null;
    this.cursor = from ? { ...from } : null;
  }

  /** True when the line at `time` is new; the cursor then points at it. */
  accept(time: string): boolean {
    if (this.skipping) {
      const order = compareLogTimes(time, this.skipping.time);
      if (order < 0) return false;
      if (order === 0 && this.skipping.seen > 0) {
        this.skipping.seen--;
        return false;
      }
      this.skipping = null;
    }
    this.cursor = this.cursor && this.cursor.time === time ? { time, seen: this.cursor.seen + 1 } : { time, seen: 1 };
    return true;
  }
}
