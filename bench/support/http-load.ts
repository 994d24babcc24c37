import { Agent, request } from "node:http";
import { percentile } from "./proc-usage";

export interface RawAnswer {
  status: number;
  /** Bytes on the wire for the body (compressed when the server compressed it). */
  bytes: number;
  etag?: string;
  body?: Buffer;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** A GET without decompression (as Traefik's client sees the wire), optionally keeping the body. */
export function rawGet(url: string, headers: Record<string, string>, keepBody = false): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent }, (res) => {
      let bytes = 0;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => {
        bytes += c.length;
        if (keepBody) chunks.push(c);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes, etag: res.headers.etag as string | undefined, body: keepBody ? Buffer.concat(chunks) : undefined }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** Closed loop: `concurrency` clients back to back for `ms`; requests/s of 200/304 answers and latencies. */
export async function closedLoad(url: string, headers: Record<string, string>, concurrency: number, ms: number) {
  let done = 0;
  let failed = 0;
  const latencies: number[] = [];
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const res = await rawGet(url, headers).catch(() => ({ status: 0, bytes: 0 }));
        if (res.status === 200 || res.status === 304) done++;
        else failed++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { rps: done / (ms / 1000), failed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/**
 * Open loop: one request every 1000/rate ms for `ms`, whether or not earlier ones answered (as
 * polling proxies do), so a slow answer shows as latency instead of a lower rate.
 */
export async function fixedRateLoad(url: string, headers: Record<string, string>, rate: number, ms: number) {
  const latencies: number[] = [];
  let failed = 0;
  let bytes = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < (rate * ms) / 1000; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    pending.push(
      rawGet(url, headers).then(
        (res) => {
          if (res.status !== 200 && res.status !== 304) failed++;
          bytes += res.bytes;
          latencies.push(performance.now() - t0);
        },
        () => void failed++,
      ),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return { sent: pending.length, failed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), bytesPerPoll: bytes / Math.max(1, latencies.length) };
}
