import type { BusMessage } from "../../bus/channels";
import type { Services } from "../../runtime/services";

export interface LiveAppStats {
  cpuPct: number;
  memBytes: number;
  memLimit: number;
  netMbps: number;
  updatedAt: number;
}

/** Snapshots older than this are not shown as "live". */
const STALE_MS = 60_000;

type Store = { latest: Map<number, LiveAppStats>; subscribed: Promise<unknown> | null };
const stores = new WeakMap<object, Store>();

/**
 * The web process learns live usage from the hubs' batched `stats.snapshot` messages. The first
 * caller subscribes; until a snapshot arrives apps simply have no live figures.
 */
function storeFor(deps: Pick<Services, "bus" | "log">): Store {
  let store = stores.get(deps);
  if (!store) {
    store = { latest: new Map(), subscribed: null };
    stores.set(deps, store);
  }
  if (!store.subscribed) {
    const s = store;
    s.subscribed = deps.bus
      .subscribe("stats.snapshot", (msg: BusMessage<"stats.snapshot">) => {
        for (const a of msg.apps) {
          s.latest.set(a.appId, { cpuPct: a.cpuPct, memBytes: a.memBytes, memLimit: a.memLimit, netMbps: a.netMbps, updatedAt: a.updatedAt });
        }
      })
      .catch((err: Error) => {
        s.subscribed = null;
        deps.log.warn({ err: err.message }, "live stats subscription failed");
      });
  }
  return store;
}

export async function liveStatsFor(deps: Pick<Services, "bus" | "log">, appIds: number[]): Promise<Map<number, LiveAppStats>> {
  const store = storeFor(deps);
  const now = Date.now();
  const out = new Map<number, LiveAppStats>();
  for (const id of appIds) {
    const s = store.latest.get(id);
    if (s && now - s.updatedAt < STALE_MS) out.set(id, s);
  }
  return out;
}
