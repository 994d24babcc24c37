import { z } from "zod";
import { connTokenSchema } from "./conn-key";
import { errorPayloadSchema } from "./error-codes";
import { rowId } from "./fields";
import { jobFrameSchema } from "./job-payload";

/**
 * Payloads (the JSON inside `data`) of hub → worker messages (docs/worker-protocol.md,
 * "Hub → worker"); a worker answers any other type with `unknown_type`.
 */
export const hubMessageSchemas = {
  welcome: z.object({
    worker_id: rowId,
    /**
     * The hub's Unix time in milliseconds: lets the worker measure its clock skew. A receiver
     * also reads an RFC 3339 time as that instant; the hub sends milliseconds.
     */
    server_time: z.preprocess((value) => (typeof value === "string" ? Date.parse(value) : value), z.number().int()),
    /**
     * Connection keys (docs/worker-protocol.md): present when the worker sent a conn_nonce in
     * its upgrade request. The hub's fresh random value for this connection.
     */
    session: connTokenSchema.optional(),
    /** The worker's conn_nonce, echoed, so a welcome replayed from another connection is refused. */
    conn_nonce: connTokenSchema.optional(),
  }),
  job: jobFrameSchema,
  /**
   * Stop a job this worker is running (docs/worker-protocol.md, "Cancelling a job"): the user
   * cancelled the deployment or deleted the app. The control plane has already marked the job
   * cancelled; the worker kills the build and never switches traffic to its result.
   */
  cancel: z.object({ job_id: rowId, reason: z.string().max(500) }),
  error: errorPayloadSchema,
} as const;

export type HubMessageType = keyof typeof hubMessageSchemas;
export type HubMessage<T extends HubMessageType> = z.infer<(typeof hubMessageSchemas)[T]>;

export function isHubMessageType(type: string): type is HubMessageType {
  return Object.hasOwn(hubMessageSchemas, type);
}

/** A verified hub frame as the worker handles it: its type, seq, `re` and parsed payload. */
export type HubFrame = { [T in HubMessageType]: { type: T; seq: number; re: number; data: HubMessage<T> } }[HubMessageType];
