import { appsOwnedBy } from "../../server/worker-reports/app-ownership";
import type { Db } from "../../server/db/client";
import { forbiddenFrame } from "../../protocol/frame-error";

/**
 * Remembers, per connection, which app ids were confirmed as the worker's for a few seconds, so
 * frequent app_stats and runtime_log frames do not query ownership every time. A foreign id is
 * never cached: it is re-checked (and refused) on every frame.
 */
export class OwnedAppsCache {
  private readonly confirmed = new WeakMap<object, Map<number, number>>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5_000,
  ) {}

  async assertOwned(conn: object, workerId: number, appIds: Iterable<number>): Promise<void> {
    const now = Date.now();
    let known = this.confirmed.get(conn);
    if (!known) this.confirmed.set(conn, (known = new Map()));
    const unknown = [...new Set(appIds)].filter((id) => (known.get(id) ?? 0) <= now);
    if (unknown.length === 0) return;
    const owned = await appsOwnedBy(this.db, workerId, unknown);
    const foreign = unknown.filter((id) => !owned.has(id));
    if (foreign.length > 0) throw forbiddenFrame(`App ${foreign.slice(0, 5).join(", ")}`);
    for (const id of unknown) known.set(id, now + this.ttlMs);
    if (known.size > 50_000) known.clear();
  }

  /** An app changed hands or status: stop trusting earlier confirmations for this connection. */
  forget(conn: object): void {
    this.confirmed.delete(conn);
  }
}
