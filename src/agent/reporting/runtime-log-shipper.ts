import type { RuntimeLogLine } from "../../protocol/worker-messages";
import type { Uplink } from "../connection/uplink";
import { cleanLogLine } from "../runtime/line-splitter";
import { LogBudget } from "./log-budget";

const FLUSH_MS = 1_000;
const MAX_LINES_PER_FRAME = 5_000;
const MAX_FRAME_PAYLOAD = 768 * 1024;
/** Held while the hub is away; older lines are dropped first. */
const MAX_BUFFERED_LINES = 20_000;

/** Batches app output into runtime_log frames, within the hub's rate limits. */
export class RuntimeLogShipper {
  private buffer: RuntimeLogLine[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly link: Pick<Uplink, "isOpen" | "send">,
    private readonly budget = new LogBudget(),
  ) {}

  start(): void {
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
  }

  add(appId: number, stream: "stdout" | "stderr", line: string): void {
    this.buffer.push({ app_id: appId, ts: new Date().toISOString(), stream, line: cleanLogLine(line) });
    if (this.buffer.length > MAX_BUFFERED_LINES) {
      const excess = this.buffer.length - MAX_BUFFERED_LINES;
      this.buffer.splice(0, excess);
      this.dropped += excess;
    }
  }

  flush(): void {
    if (!this.link.isOpen || this.buffer.length === 0) return;
    while (this.buffer.length > 0) {
      // One app per frame: the hub refuses a frame whole if any line belongs to a foreign app.
      const appId = this.buffer[0]!.app_id;
      const limit = Math.min(MAX_FRAME_PAYLOAD, this.budget.available());
      if (Buffer.byteLength(this.buffer[0]!.line) + 64 > limit) break;
      const batch: RuntimeLogLine[] = [];
      const rest: RuntimeLogLine[] = [];
      let bytes = 0;
      let full = false;
      for (const entry of this.buffer) {
        const size = Buffer.byteLength(entry.line) + 64;
        if (!full && entry.app_id === appId && bytes + size <= limit && batch.length < MAX_LINES_PER_FRAME) {
          batch.push(entry);
          bytes += size;
        } else {
          if (entry.app_id === appId) full = true;
          rest.push(entry);
        }
      }
      this.buffer = rest;
      this.budget.spend(bytes);
      if (this.dropped > 0 && batch[0]) {
        batch.unshift({ ...batch[0], stream: "stderr", line: `[wisehosting] ${this.dropped} log lines dropped: apps logged faster than the worker may forward` });
        this.dropped = 0;
      }
      // A frame the hub could not store (answered `internal`) comes back through the uplink's resend.
      if (!this.link.send("runtime_log", { lines: batch }, { resendOnInternal: true })) {
        this.buffer.unshift(...batch);
        return;
      }
    }
    // Over the rate: keep at most a few seconds' worth waiting, drop the rest.
    const keep = 5 * (this.budget.rate / 128);
    if (this.buffer.length > keep) {
      this.dropped += this.buffer.length - keep;
      this.buffer.splice(0, this.buffer.length - keep);
    }
  }

}
