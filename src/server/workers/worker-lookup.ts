import type { Db } from "../db/client";
import type { JsonCache } from "../cache/json-cache";

/** What auth and the hub need of a worker row, small enough to cache. */
export interface WorkerIdentity {
  id: number;
  name: string;
  apiKeyHash: string;
  status: "online" | "offline" | "draining";
}

/** A 30 s cache keyed by the key's hash. */
export const WORKER_LOOKUP_TTL_SECONDS = 30;

const byHashKey = (hash: string) => `worker:byhash:${hash}`;
const byIdKey = (id: number) => `worker:byid:${id}`;
const select = { id: true, name: true, apiKeyHash: true, status: true } as const;

/**
 * Cached worker lookups. A cached identity is only a hint: every positive cache hit still carries
 * the hash it was found under, and rotation deletes both keys (see invalidate) in every process
 * sharing the cache. Processes without Redis keep a private memory cache, so rotation also
 * publishes worker.revoked and each hub closes the socket itself.
 */
export class WorkerLookup {
  constructor(
    private readonly db: Db,
    private readonly cache: JsonCache,
  ) {}

  async byKeyHash(apiKeyHash: string): Promise<WorkerIdentity | undefined> {
    const cached = await this.cache.get<WorkerIdentity>(byHashKey(apiKeyHash));
    if (cached && cached.apiKeyHash === apiKeyHash) return cached;
    const row = await this.db.worker.findUnique({ where: { apiKeyHash }, select });
    if (!row) return undefined;
    await this.remember(row);
    return row;
  }

  /** JWT path: by id, then the caller compares `kh` with the row's hash. */
  async byId(id: number): Promise<WorkerIdentity | undefined> {
    const cached = await this.cache.get<WorkerIdentity>(byIdKey(id));
    if (cached && cached.id === id) return cached;
    const row = await this.db.worker.findUnique({ where: { id }, select });
    if (!row) return undefined;
    await this.remember(row);
    return row;
  }

  /** Both keys are written together, so an invalidation by id can find the hash entry too. */
  private async remember(row: WorkerIdentity): Promise<void> {
    await this.cache.set(byIdKey(row.id), row, WORKER_LOOKUP_TTL_SECONDS);
    await this.cache.set(byHashKey(row.apiKeyHash), row, WORKER_LOOKUP_TTL_SECONDS);
  }

  /** Drops every cached entry for the worker (by id, and under any hash it was cached with). */
  async invalidate(workerId: number, ...knownHashes: string[]): Promise<void> {
    const cached = await this.cache.get<WorkerIdentity>(byIdKey(workerId));
    await this.cache.delete(byIdKey(workerId));
    const hashes = new Set(knownHashes);
    if (cached?.apiKeyHash) hashes.add(cached.apiKeyHash);
    for (const hash of hashes) await this.cache.delete(byHashKey(hash));
  }
}
