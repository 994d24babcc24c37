import type { Bus } from "../bus/channels";
import { generateApiKey, hashApiKey } from "../../protocol/api-key";
import type { Db } from "../db/client";
import { notFound } from "../errors/domain-errors";
import type { JsonCache } from "../cache/json-cache";
import { WorkerLookup } from "./worker-lookup";

export interface RotatedWorkerKey {
  workerId: number;
  name: string;
  /** The new raw API key: shown once to the operator, never stored. */
  apiKey: string;
}

/**
 * Gives a worker a new API key. The old hash stops matching at once, which voids every JWT bound
 * to it (`kh`); hubs receiving worker.revoked close its live socket. The worker must be
 * reconfigured with the new key and re-register or refresh with it.
 * Callable from the admin dashboard and from scripts/rotate-worker-key.ts.
 */
export async function rotateWorkerKey(deps: { db: Db; cache: JsonCache; bus: Bus }, workerId: number): Promise<RotatedWorkerKey> {
  const current = await deps.db.worker.findUnique({ where: { id: workerId }, select: { id: true, name: true, apiKeyHash: true } });
  if (!current) throw notFound("Worker");
  const apiKey = generateApiKey(32);
  await deps.db.worker.update({ where: { id: workerId }, data: { apiKeyHash: hashApiKey(apiKey) } });
  await new WorkerLookup(deps.db, deps.cache).invalidate(workerId, current.apiKeyHash);
  await deps.bus.publish("worker.revoked", { workerId });
  return { workerId, name: current.name, apiKey };
}
