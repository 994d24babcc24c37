import type { Logger } from "pino";
import type { Bus } from "../bus/channels";
import type { Db } from "../db/client";
import { GroupCommit } from "../db/group-commit";
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

export interface RuntimeLogWriterOptions {
  /** Flush when this many lines are waiting … */
  maxBatchLines?: number;
  /** … or this long after the first waiting line. */
  maxDelayMs?: number;
  onBatch?: (lines: number, seconds: number, ok: boolean) => void;
}

/**
 * Group commit for runtime logs (src/server/db/group-commit.ts): lines from every connection are
 * gathered for a few milliseconds and written with one multi-row INSERT (unnest of arrays), then
 * fanned out on the bus ("app.logs") with their row ids. `write()` resolves only once its lines
 * are stored, so a frame is answered `internal` when its batch fails, and nothing acknowledged is
 * ever lost. Two batches may be in flight: a connection has one frame in flight, so per-app order
 * holds.
 */
export class RuntimeLogWriter {
  private readonly batches: GroupCommit<RuntimeLogLine[], void>;

  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
    private readonly log: Logger,
    options: RuntimeLogWriterOptions = {},
  ) {
    this.batches = new GroupCommit((frames) => this.store(frames), {
      maxItems: options.maxBatchLines ?? 4000,
      maxDelayMs: options.maxDelayMs ?? 20,
      weight: (lines) => lines.length,
      lanes: 2,
      onBatch: options.onBatch,
    });
  }

  /** Lines waiting to be written (a queue-depth metric). */
  get pendingLines(): number {
    return this.batches.pending;
  }

  write(lines: RuntimeLogLine[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return this.batches.submit(lines);
  }

  /** Writes everything queued and waits for it (shutdown). */
  flush(): Promise<void> {
    return this.batches.flush();
  }

  /** From now on every write is stored at once (shutdown: nothing may wait for a timer). */
  flushImmediately(): void {
    this.batches.flushImmediately();
  }

  private async store(frames: RuntimeLogLine[][]): Promise<void[]> {
    const lines = frames.flat();
    let ids: bigint[];
    try {
      ids = await this.insert(lines);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, lines: lines.length }, "runtime log batch failed");
      throw err;
    }
    this.fanOut(lines, ids);
    return frames.map(() => undefined);
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
