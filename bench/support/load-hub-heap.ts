export interface HeapPoint {
  at: number;
  heapUsedBytes: number;
  externalBytes: number;
}

/** A gauge's value in Prometheus text format, or NaN when it is not there. */
function gauge(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, "m").exec(text);
  return m ? Number(m[1]) : NaN;
}

/**
 * The hub's V8 heap in use and its memory outside the heap (Buffers), read from its /metrics
 * (prom-client's default metrics, src/ws-hub/hub-metrics.ts) every `everyMs`: beside the RSS, it
 * tells a heap that keeps what it was given from memory the process merely has not returned.
 */
export class HubHeapSampler {
  readonly points: HeapPoint[] = [];
  private readonly timer: NodeJS.Timeout;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(hubUrl: string, everyMs: number) {
    const sample = async () => {
      try {
        const res = await fetch(`${hubUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
        if (!res.ok) return;
        const text = await res.text();
        const point = { at: performance.now(), heapUsedBytes: gauge(text, "wh_hub_nodejs_heap_size_used_bytes"), externalBytes: gauge(text, "wh_hub_nodejs_external_memory_bytes") };
        if (Number.isFinite(point.heapUsedBytes)) this.points.push(point);
      } catch {
        // The hub is down (killed, restarting): no point.
      }
    };
    this.timer = setInterval(() => (this.inFlight = sample()), everyMs);
  }

  async stop(): Promise<HeapPoint[]> {
    clearInterval(this.timer);
    await this.inFlight;
    return this.points;
  }
}
