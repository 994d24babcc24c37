import { cpus, totalmem } from "node:os";
import { percentile } from "./proc-usage";

/**
 * How the benchmarks print their figures (bench/jobs, latency, web): one line per figure, the
 * figure beside its same-run baseline, and one header naming the machine.
 */

/** 1,234.5 — en-US grouping, fixed digits. */
export const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The header line: what ran, when, on what machine. */
export function printHeader(title: string, extra = ""): void {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}`;
  console.log(`\n${title} — ${new Date().toISOString()} — ${machine}${extra ? `, ${extra}` : ""}\n`);
}

/** Percentiles of a list of milliseconds, e.g. `p50 12.3 ms   p95 20.1 ms   (n=200)`. */
export function distribution(xs: number[], ps: number[] = [50, 99], withMax = false): string {
  const s = [...xs].sort((a, b) => a - b);
  const parts = ps.map((p) => `p${p} ${fmt(percentile(s, p)).padStart(8)} ms`);
  if (withMax) parts.push(`max ${fmt(s[s.length - 1] ?? NaN).padStart(8)} ms`);
  return `${parts.join("   ")}   (n=${xs.length})`;
}

/** A distribution figure on one line. */
export function printDistribution(label: string, xs: number[], opts: { ps?: number[]; max?: boolean; extra?: string; width?: number } = {}): void {
  console.log(`${label.padEnd(opts.width ?? 58)} ${distribution(xs, opts.ps, opts.max)}${opts.extra ?? ""}`);
}

/** One timed figure beside its baseline and the ratio between them. */
export function printVsBaseline(label: string, ms: number, baselineMs: number, extra = "", width = 50): void {
  console.log(
    `${label.padEnd(width)} ${fmt(ms).padStart(9)} ms   baseline ${fmt(baselineMs).padStart(8)} ms   ratio ${(ms / baselineMs).toFixed(1).padStart(6)}x ${extra}`.trimEnd(),
  );
}
