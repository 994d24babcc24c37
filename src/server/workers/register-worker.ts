import ipaddr from "ipaddr.js";
import { z } from "zod";
import type { Bus } from "../bus/channels";
import { hashApiKey } from "../../protocol/api-key";
import type { Db } from "../db/client";
import { safeEqual } from "../crypto/api-key";
import { conflict } from "../errors/domain-errors";
import type { WorkerLookup } from "./worker-lookup";

const ipAddress = z.string().refine((v) => ipaddr.isValid(v), "must be an IPv4 or IPv6 address");

/** POST /v1/workers/register body (docs/worker-protocol.md). */
export const registerWorkerSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[a-z0-9-]+$/, "use 1–63 characters from a-z, 0-9 and -"),
  ip: ipAddress,
  api_key: z.string().min(32, "must be at least 32 characters").max(512),
  zone: z.string().max(64).default(""),
  region_name: z.string().max(128).default(""),
  cap_cpu: z.number().finite().positive("must be a number of cores above 0").max(100_000),
  cap_mem: z.number().int().positive("must be MiB above 0").max(2_147_483_647),
  wireguard_ip: ipAddress.optional(),
  /** Proof for giving an already registered name a new key: the key that name has now. */
  current_api_key: z.string().max(512).optional(),
});
export type RegisterWorkerInput = z.infer<typeof registerWorkerSchema>;

export interface PublicWorker {
  id: number;
  name: string;
  ip: string;
  zone: string;
  region_name: string;
  status: string;
  cap_cpu: number;
  cap_mem: number;
  wireguard_ip: string | null;
}

export function toPublicWorker(w: {
  id: number;
  name: string;
  ip: string;
  zone: string;
  regionName: string;
  status: string;
  capCpu: number;
  capMem: number;
  wireguardIp: string | null;
}): PublicWorker {
  return {
    id: w.id,
    name: w.name,
    ip: w.ip,
    zone: w.zone,
    region_name: w.regionName,
    status: w.status,
    cap_cpu: w.capCpu,
    cap_mem: w.capMem,
    wireguard_ip: w.wireguardIp,
  };
}

/**
 * One row per name; only sha256(api_key) is stored. Registering a name again with its current
 * key updates the row (an agent restarting). A new key for an existing name needs that worker's
 * current key as proof (`current_api_key`), else anyone holding the shared registration token
 * could take over a worker and receive its jobs; an operator's rotation
 * (src/server/workers/rotate-worker-key.ts) is the other way. A re-key revokes the old JWTs and
 * closes the live socket.
 */
export async function registerWorker(
  deps: { db: Db; lookup: WorkerLookup; bus: Bus },
  input: RegisterWorkerInput,
): Promise<PublicWorker & { apiKeyHash: string }> {
  const apiKeyHash = hashApiKey(input.api_key);
  const holder = await deps.db.worker.findUnique({ where: { apiKeyHash }, select: { name: true } });
  if (holder && holder.name !== input.name) {
    throw conflict("This API key belongs to another worker. Generate a new key for this worker.");
  }
  const previous = await deps.db.worker.findUnique({ where: { name: input.name }, select: { id: true, apiKeyHash: true } });
  const rekey = previous !== null && previous.apiKeyHash !== apiKeyHash;
  if (rekey && !(input.current_api_key && safeEqual(hashApiKey(input.current_api_key), previous.apiKeyHash))) {
    throw conflict(
      `A worker named "${input.name}" is already registered with another API key. To give it a new key, send its current key ` +
        `as current_api_key; if the key was rotated, configure the worker with the key the operator was given (WORKER_API_KEY); ` +
        `or have an operator rotate it (npx tsx scripts/rotate-worker-key.ts ${input.name}).`,
    );
  }
  const fields = {
    ip: input.ip,
    apiKeyHash,
    zone: input.zone,
    regionName: input.region_name,
    capCpu: input.cap_cpu,
    capMem: input.cap_mem,
    wireguardIp: input.wireguard_ip ?? null,
  };
  let row;
  try {
    if (previous) {
      // Compare-and-set on the key we checked: a concurrent re-key or rotation makes this a conflict, not an overwrite.
      const updated = await deps.db.worker.updateMany({ where: { id: previous.id, apiKeyHash: previous.apiKeyHash }, data: fields });
      if (updated.count === 0) throw conflict(`The key of worker "${input.name}" changed while registering; register again.`);
      row = await deps.db.worker.findUniqueOrThrow({ where: { id: previous.id } });
    } else {
      row = await deps.db.worker.create({ data: { name: input.name, ...fields } });
    }
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") {
      throw conflict("This API key belongs to another worker. Generate a new key for this worker.");
    }
    throw err;
  }
  if (rekey) {
    await deps.lookup.invalidate(previous.id, previous.apiKeyHash);
    await deps.bus.publish("worker.revoked", { workerId: previous.id });
  }
  return { ...toPublicWorker(row), apiKeyHash };
}
