import { z } from "zod";

/**
 * Messages crossing process boundaries (web ↔ jobs ↔ ws-hub). Every message is validated on
 * receipt, so a malformed publish from any process cannot crash a subscriber.
 */
export const busChannels = {
  /** New pending jobs (or freed capacity): any jobs process that hears it runs an assignment pass now. */
  "jobs.pending": z.object({}),
  /** A job became `assigned`; the hub holding the worker's socket sends it. */
  "job.assigned": z.object({ jobId: z.number().int(), workerId: z.number().int() }),
  /** A running job was cancelled (src/server/jobs/cancel-jobs.ts); the hub holding the worker's socket sends `cancel`. */
  "job.cancel": z.object({ jobId: z.number().int(), workerId: z.number().int(), reason: z.string().max(500) }),
  /** Job progress or completion, for deploy-progress subscriptions. */
  "job.updated": z.object({
    jobId: z.number().int(),
    appId: z.number().int(),
    deploymentId: z.number().int().nullable(),
    status: z.string(),
    progress: z.number(),
    message: z.string(),
  }),
  /** Runtime log lines ingested by a hub. */
  "app.logs": z.object({
    appId: z.number().int(),
    lines: z.array(z.object({ id: z.string(), ts: z.number(), stream: z.enum(["stdout", "stderr"]), line: z.string() })),
  }),
  /** Build log chunk appended to a deployment. */
  "deployment.log": z.object({ deploymentId: z.number().int(), appId: z.number().int(), offset: z.number().int(), chunk: z.string() }),
  /** An app's status (or current deployment) changed. */
  "app.changed": z.object({ appId: z.number().int(), userId: z.number().int(), status: z.string() }),
  /** A worker's key was rotated or the worker deleted: hubs close its socket. */
  "worker.revoked": z.object({ workerId: z.number().int() }),
  /**
   * Sessions that ended (sign-out, revoke, password change, re-auth): every web process closes
   * the live streams opened with them (src/server/apps/live/session-guard.ts).
   */
  "session.revoked": z.object({ userId: z.number().int(), sessionIds: z.array(z.number().int().positive()).min(1).max(500) }),
  /** Batched live stats snapshots, shared between hubs and the jobs process. */
  "stats.snapshot": z.object({
    at: z.number(),
    apps: z.array(
      z.object({
        appId: z.number().int(),
        workerId: z.number().int(),
        cpuPct: z.number(),
        memBytes: z.number(),
        memLimit: z.number(),
        netMbps: z.number(),
        netTotalBytes: z.number(),
        diskMbps: z.number(),
        updatedAt: z.number(),
      }),
    ),
  }),
} as const;

export type BusChannel = keyof typeof busChannels;
export type BusMessage<C extends BusChannel> = z.infer<(typeof busChannels)[C]>;
export type BusHandler<C extends BusChannel> = (message: BusMessage<C>) => void;

/** Cross-process publish/subscribe. Delivery is at-most-once: state lives in Postgres. */
export interface Bus {
  publish<C extends BusChannel>(channel: C, message: BusMessage<C>): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe<C extends BusChannel>(channel: C, handler: BusHandler<C>): Promise<() => void>;
  close(): Promise<void>;
}
