import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

export interface BaselineLine {
  appId: number;
  workerId: number;
  ts: Date;
  stream: "stdout" | "stderr";
  line: string;
}

/** COPY text format: backslash, tab, newline and carriage return escaped. */
const escape = (s: string) => s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");

/**
 * The ingest limit of the database itself: the same lines written into the same table with one
 * `COPY … FROM STDIN` per `batch` lines (each its own transaction, as the hub commits per batch),
 * from this process, no frames and no hub. Returns lines/s. `table` names another table of the
 * same columns (the bench's index-less copy of runtime_logs).
 */
export async function copyLinesPerSecond(pool: pg.Pool, lines: BaselineLine[], batch = 4_000, table = "runtime_logs"): Promise<number> {
  const client = await pool.connect();
  try {
    const t0 = performance.now();
    for (let i = 0; i < lines.length; i += batch) {
      const text = lines
        .slice(i, i + batch)
        .map((l) => `${l.appId}\t${l.workerId}\t${l.ts.toISOString()}\t${l.stream}\t${escape(l.line)}\n`)
        .join("");
      await pipeline(Readable.from([text]), client.query(copyFrom(`COPY ${table} (app_id, worker_id, ts, stream, line) FROM STDIN`)));
    }
    return lines.length / ((performance.now() - t0) / 1000);
  } finally {
    client.release();
  }
}
