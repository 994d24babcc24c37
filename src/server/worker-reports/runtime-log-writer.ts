import type { Logger } from "pino";
import type { Bus } from "../bus/channels";
import type { Db } from "../db/client";
import { capUtf8 } from "./log-text";

type BusLine = { id: string; ts: number; stream: "stdout" | "stderr"; line: string };
/** Postgres NOTIFY payloads must stay under 8000 bytes; leave room for the envelope. */
const MAX_BUS_MESSAGE_BYTES = 7_000;
export const LIVE_LINE_BYTES = 3_000;

export interface RuntimeLogLine {
  appId: number;
  workerId: number;
  ts: Date;
  stream: "stdout" | "stderr";
  line: string;
}

interface Pending {
  lines: RuntimeLogLine[];
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface RuntimeLogWriterOptions {
  /** Flush when this many lines are waiting … */
  maxBatchLines?: number;
  /** … or this long after the first waiting line. */
  maxDelayMs?: number;
  onBatch?: (lines: number, seconds: number, ok: boolean) => void;
}

/**
 * Group commit for runtime logs: lines from every connection are gathered for a few
 * milliseconds and written with one multi-row INSERT (unnest of arrays), then fanned out on the
 * bus ("app.logs") with their row ids. `write()` resolves only once its lines are stored, so a
 * frame is answered `internal` when its batch fails, and nothing acknowledged is ever lost.
 */
export class RuntimeLogWriter {
  private queue: Pending[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Two batches may be in flight: a connection has one frame in flight, so per-app order holds. */
  private readonly lanes: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  private nextLane = 0;
  private readonly maxBatchLines: number;
  private readonly maxDelayMs: number;
  private immediate = false;

  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
    private readonly log: Logger,
    private readonly options: RuntimeLogWriterOptions = {},
  ) {
    this.maxBatchLines = options.maxBatchLines ?? 4000;
    this.maxDelayMs = options.maxDelayMs ?? 20;
  }

  /** Lines waiting to be written (a queue-depth metric). */
  get pendingLines(): number {
    return this.queued;
  }

  write(lines: RuntimeLogLine[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ lines, resolve, reject });
      this.queued += lines.length;
      if (this.queued >= this.maxBatchLines || this.immediate) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.maxDelayMs);
    });
  }

  /** Writes everything queued and waits for it (shutdown). */
  async flush(): Promise<void> {
    this.kick();
    await Promise.all(this.lanes);
  }

  /** From now on every write is stored at once (shutdown: nothing may wait for a timer). */
  flushImmediately(): void {
    this.immediate = true;
    this.kick();
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.queued = 0;
    const lane = this.nextLane;
    this.nextLane = (lane + 1) % this.lanes.length;
    this.lanes[lane] = this.lanes[lane]!.then(() => this.store(batch));
  }

  private async store(batch: Pending[]): Promise<void> {
    const lines = batch.flatMap((p) => p.lines);
    const started = performance.now();
    try {
      const ids = await this.insert(lines);
      this.options.onBatch?.(lines.length, (performance.now() - started) / 1000, true);
      for (const p of batch) p.resolve();
      this.fanOut(lines, ids);
    } catch (err) {
      this.options.onBatch?.(lines.length, (performance.now() - started) / 1000, false);
      this.log.warn({ err: (err as Error).message, lines: lines.length }, "runtime log batch failed");
      for (const p of batch) p.reject(err as Error);
    }
  }

  private async insert(lines: RuntimeLogLine[]): Promise<bigint[]> {
    const rows = await this.db.$queryRaw<{ id: bigint }[]>`
      INSERT INTO runtime_logs (app_id, worker_id, ts, stream, line)
      SELECT * FROM unnest(${lines.map((l) => l.appId)}::int[], ${lines.map((l) => l.workerId)}::int[],
                           ${lines.map((l) => l.ts)}::timestamptz[], ${lines.map((l) => l.stream)}::"LogStream"[],
                           ${lines.map((l) => l.line)}::text[])
      RETURNING id`;
    return rows.map((r) => r.id);
  }

  /**
   * Live fan-out on "app.logs", pre-split into messages that fit a Postgres NOTIFY (the bus would
   * otherwise split oversized ones line by line, which is quadratic). Live lines are capped at
   * LIVE_LINE_BYTES; the stored line keeps up to 8 KiB.
   */
  private fanOut(lines: RuntimeLogLine[], ids: bigint[]): void {
    const byApp = new Map<number, { entries: BusLine[]; bytes: number }[]>();
    lines.forEach((l, i) => {
      const entry: BusLine = { id: String(ids[i] ?? ""), ts: l.ts.getTime(), stream: l.stream, line: capUtf8(l.line, LIVE_LINE_BYTES) };
      const size = Buffer.byteLength(JSON.stringify(entry)) + 1;
      let chunks = byApp.get(l.appId);
      if (!chunks) byApp.set(l.appId, (chunks = [{ entries: [], bytes: 0 }]));
      let last = chunks[chunks.length - 1]!;
      if (last.entries.length > 0 && last.bytes + size > MAX_BUS_MESSAGE_BYTES) chunks.push((last = { entries: [], bytes: 0 }));
      last.entries.push(entry);
      last.bytes += size;
    });
    for (const [appId, chunks] of byApp) {
      for (const chunk of chunks) {
        this.bus.publish("app.logs", { appId, lines: chunk.entries }).catch((err: Error) => this.log.warn({ err: err.message }, "app.logs publish failed"));
      }
    }
  }
}
