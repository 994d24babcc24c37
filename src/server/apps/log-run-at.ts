// Pure, so the Logs tab (src/app/apps/[appId]/logs/logs-panel.tsx) marks lines with it in the browser.

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
