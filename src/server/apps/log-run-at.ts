// Pure, so the Logs tab (src/app/apps/[appId]/logs/logs-panel.tsx) marks lines with it in the browser.

/** What log-runs.ts lists; only what marking a line needs. */
export interface RunMarkSource {
  /** When the run's job was sent to the worker (log-runs.ts). */
  from: number;
  /** When its job completed: traffic moved to it. */
  switchedAt: number;
  deploymentNumber: number | null;
  kind: "deploy" | "restart" | "start";
  seq: number;
  label: string;
}

/** The run serving at `ts` (the last that started at or before it); null before the first one. */
export function runAt<T extends { from: number }>(runs: readonly T[], ts: number): T | null {
  let lo = 0;
  let hi = runs.length - 1;
  let found: T | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (runs[mid]!.from <= ts) {
      found = runs[mid]!;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function short(run: Pick<RunMarkSource, "deploymentNumber" | "kind" | "seq">): string {
  const dep = run.deploymentNumber !== null ? `#${run.deploymentNumber}` : "#?";
  return run.kind === "deploy" ? dep : `${dep} ${run.kind === "restart" ? "↻" : "▶"}${run.seq}`;
}

/**
 * The mark of a line written at `ts`: `#3`, `#3 ↻1` (first restart of deployment #3), `#3 ▶1`
 * (started again after a stop). While a deploy runs, its new version starts beside the old one
 * and both write until the switch, so a line from then is marked with both (`#2/#3`): the stored
 * line does not say which process wrote it. Null before the first recorded run.
 */
export function markAt(runs: readonly RunMarkSource[], ts: number): { label: string; short: string } | null {
  const i = runs.indexOf(runAt(runs, ts)!);
  const run = runs[i];
  if (!run) return null;
  const previous = i > 0 ? runs[i - 1]! : null;
  if (run.kind === "deploy" && ts < run.switchedAt && previous && previous.deploymentNumber !== run.deploymentNumber) {
    return { label: `${previous.label} or ${run.label} (written while ${run.label} was starting)`, short: `${short(previous)}/${short(run)}` };
  }
  return { label: run.label, short: short(run) };
}
