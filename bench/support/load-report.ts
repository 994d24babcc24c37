import { percentile } from "./proc-usage";
import type { RequestKind, Sample } from "./load-dashboard";

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "—");
export const mib = (bytes: number) => `${fmt(bytes / 2 ** 20, 0)} MiB`;

export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  fiveXx: number;
}

/** p50/p95/p99 and 5xx count of the samples of the given kinds (all kinds when omitted), optionally within [from, to). */
export function summarise(samples: Sample[], kinds?: readonly RequestKind[], window?: { from: number; to: number }): LatencySummary {
  const picked = samples.filter((s) => (!kinds || kinds.includes(s.kind)) && (!window || (s.at >= window.from && s.at < window.to)));
  const ms = picked.map((s) => s.ms).sort((a, b) => a - b);
  return { n: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99), fiveXx: picked.filter((s) => s.status >= 500).length };
}

export const latencyCells = (s: LatencySummary) => `p50 ${fmt(s.p50).padStart(7)}  p95 ${fmt(s.p95).padStart(7)}  p99 ${fmt(s.p99).padStart(7)} ms  (n=${s.n})`;

/** Answers by HTTP status, e.g. "200: 23,980, 429: 12". */
export function statusCounts(samples: Sample[]): string {
  const counts = new Map<number, number>();
  for (const s of samples) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}: ${n.toLocaleString("en-US")}`)
    .join(", ");
}
