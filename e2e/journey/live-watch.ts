import type { Page } from "@playwright/test";

export interface LiveObservation {
  t: number;
  progress: number | null;
  status: string | null;
  logLength: number;
}

/**
 * Records, from inside the page, every change of the deploy progress bar and the build log as the
 * DOM updates, so the spec can tell a log that streamed in while the job ran from one that was
 * simply there when the page loaded.
 */
export async function watchDeployLive(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __journeyLive: LiveObservation[] };
    w.__journeyLive = [];
    let last = "";
    const record = () => {
      const bar = document.querySelector('[role="progressbar"][aria-label="Job progress"]');
      const box = document.querySelector('[data-testid="deploy-progress"]');
      const log = document.querySelector('[data-testid="build-log"]');
      const obs = {
        t: Date.now(),
        progress: bar ? Number(bar.getAttribute("aria-valuenow")) : null,
        status: box?.getAttribute("data-status") ?? null,
        logLength: log?.textContent?.length ?? 0,
      };
      const key = `${obs.progress}|${obs.status}|${obs.logLength}`;
      if (key !== last) {
        last = key;
        w.__journeyLive.push(obs);
      }
    };
    new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

export function liveObservations(page: Page): Promise<LiveObservation[]> {
  return page.evaluate(() => (window as unknown as { __journeyLive?: LiveObservation[] }).__journeyLive ?? []);
}
