import type { Db } from "../db/client";
import { GroupCommit } from "../db/group-commit";
import type { WorkerMessage } from "../../protocol/worker-messages";

export interface HeartbeatWrite {
  workerId: number;
  connectionId: string;
  heartbeat: WorkerMessage<"heartbeat">;
}

/**
 * Stamps usage and last_heartbeat and brings an offline
 * worker back online. Scoped to the connection that is currently the worker's live one: resolves
 * false when another connection (on any hub) has replaced it, so the caller can close this one.
 */
export function createHeartbeatWriter(db: Db, onBatch?: (items: number, seconds: number, ok: boolean) => void) {
  return new GroupCommit<HeartbeatWrite, boolean>(
    async (items) => {
      const rows = await db.$queryRaw<{ id: number; hub_connection: string }[]>`
        UPDATE workers w
           SET status = v.status::"WorkerStatus",
               cpu_used = v.cpu, mem_used = v.mem, disk_used = COALESCE(v.disk, w.disk_used),
               running_apps = v.apps, last_heartbeat = now(), updated_at = now()
          FROM unnest(${items.map((i) => i.workerId)}::int[], ${items.map((i) => i.connectionId)}::text[],
                      ${items.map((i) => (i.heartbeat.status === "draining" ? "draining" : "online"))}::text[],
                      ${items.map((i) => i.heartbeat.cpu_used)}::float8[], ${items.map((i) => i.heartbeat.mem_used)}::int[],
                      ${items.map((i) => i.heartbeat.disk_used ?? null)}::int[], ${items.map((i) => i.heartbeat.running_apps)}::int[])
               AS v(id, conn, status, cpu, mem, disk, apps)
         WHERE w.id = v.id AND w.hub_connection = v.conn
        RETURNING w.id, w.hub_connection`;
      const live = new Set(rows.map((r) => `${r.id}|${r.hub_connection}`));
      return items.map((i) => live.has(`${i.workerId}|${i.connectionId}`));
    },
    { maxItems: 1000, maxDelayMs: 15, onBatch },
  );
}

/**
 * Marks connections as their workers' live ones and the workers online (on upgrade), batched.
 * Within a batch the newest connection of a worker wins.
 */
export function createConnectionClaimer(db: Db) {
  return new GroupCommit<{ workerId: number; connectionId: string }, void>(
    async (items) => {
      const latest = new Map<number, string>();
      for (const i of items) latest.set(i.workerId, i.connectionId);
      await db.$executeRaw`
        UPDATE workers w
           SET hub_connection = v.conn,
               status = CASE WHEN w.status = 'draining' THEN w.status ELSE 'online'::"WorkerStatus" END,
               last_heartbeat = now(), updated_at = now()
          FROM unnest(${[...latest.keys()]}::int[], ${[...latest.values()]}::text[]) AS v(id, conn)
         WHERE w.id = v.id`;
      return items.map(() => undefined);
    },
    { maxItems: 500, maxDelayMs: 10 },
  );
}

/** Clears the live-connection marker if it is still this connection's. */
export async function releaseWorkerConnection(db: Db, workerId: number, connectionId: string): Promise<void> {
  await db.$executeRaw`UPDATE workers SET hub_connection = NULL WHERE id = ${workerId} AND hub_connection = ${connectionId}`;
}
