/**
 * Polls a URL until it answers 2xx/3xx or the deadline passes. A 421 counts as answering too: the
 * web process refuses host names other than PUBLIC_URL's outside development
 * (src/web/front-door.ts), and the launcher probes it on localhost.
 */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000) });
      if (res.status < 400 || res.status === 421) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${Math.round(timeoutMs / 1000)} s (last: ${last})`);
}
