import type { LogBudget } from "../reporting/log-budget";

const FLUSH_MS = 400;
const FLUSH_BYTES = 32 * 1024;

/**
 * Groups build output lines into build_log chunks, so the dashboard sees it live without one
 * frame per line. Chunks wait (they are never dropped) while the shared log budget is spent.
 */
export class BuildLogStream {
  private buffer: string[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sendChunk: (chunk: string) => void,
    private readonly budget: LogBudget,
  ) {}

  line(text: string): void {
    this.buffer.push(text);
    this.bytes += Buffer.byteLength(text) + 1;
    if (this.bytes >= FLUSH_BYTES) this.flush();
    else this.arm(FLUSH_MS);
  }

  /** Sends what is buffered if the budget allows, else tries again shortly. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.length === 0) return;
    if (!this.budget.take(this.bytes)) {
      this.arm(250);
      return;
    }
    this.send();
  }

  /** End of the job: everything goes out now, before the job_result. */
  end(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.length === 0) return;
    this.budget.spend(this.bytes);
    this.send();
  }

  private send(): void {
    const chunk = `${this.buffer.join("\n")}\n`;
    this.buffer = [];
    this.bytes = 0;
    this.sendChunk(chunk);
  }

  private arm(ms: number): void {
    if (!this.timer) this.timer = setTimeout(() => this.flush(), ms);
  }
}
