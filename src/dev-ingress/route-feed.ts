import type { Logger } from "pino";
import { routeTableFrom, type RouteTable } from "./route-table";

export interface RouteFeedOptions {
  /** The hub's base URL (HUB_INTERNAL_URL). */
  hubUrl: string;
  /** TRAEFIK_PROXY_TOKEN: the same bearer Traefik polls with. */
  token: string;
  platformDomain: string;
  /** How often the table is polled. */
  intervalMs: number;
  log: Logger;
}

/**
 * Polls the hub's `/v1/traefik/proxy-config` — the route table Traefik polls in production — and
 * keeps the last good table: a failed poll (hub restarting, a 503) changes nothing, as for
 * Traefik. `refresh()` polls now (one request in flight at a time).
 */
export class RouteFeed {
  private table: RouteTable = new Map();
  private inFlight: Promise<RouteTable> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failing = false;
  private loaded = false;

  constructor(private readonly options: RouteFeedOptions) {}

  get current(): RouteTable {
    return this.table;
  }

  /** Whether one poll succeeded yet (before that, every host is unknown). */
  get ready(): boolean {
    return this.loaded;
  }

  start(): void {
    const tick = () => {
      void this.refresh().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.options.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  refresh(): Promise<RouteTable> {
    this.inFlight ??= this.poll().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /**
   * Polls until `host` routes somewhere other than `stale` (a redeploy moved the app to a new
   * port), or `timeoutMs` passes. The hub caches its config for a few seconds, so one poll right
   * after a deploy may still show the old port.
   */
  async waitForChange(host: string, stale: string | undefined, timeoutMs: number): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = (await this.refresh()).get(host);
      if (now !== stale || Date.now() >= deadline) return now;
      await new Promise((r) => setTimeout(r, Math.min(500, Math.max(1, deadline - Date.now()))));
    }
  }

  private async poll(): Promise<RouteTable> {
    const url = new URL("/v1/traefik/proxy-config", this.options.hubUrl);
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${this.options.token}` }, signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`the hub answered ${res.status}`);
      const next = routeTableFrom(await res.json(), this.options.platformDomain);
      if (!sameTable(this.table, next)) this.options.log.info({ routes: next.size }, "route table changed");
      this.table = next;
      this.loaded = true;
      if (this.failing) this.options.log.info("route table reachable again");
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.options.log.warn({ err: (err as Error).message, url: url.href }, "could not read the route table; keeping the last one");
      this.failing = true;
    }
    return this.table;
  }
}

function sameTable(a: RouteTable, b: RouteTable): boolean {
  if (a.size !== b.size) return false;
  for (const [host, upstream] of a) if (b.get(host) !== upstream) return false;
  return true;
}
