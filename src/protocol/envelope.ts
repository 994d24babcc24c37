import { z } from "zod";

/** Protocol version carried in every frame's `v`. */
export const PROTOCOL_VERSION = 1;
/** Frames larger than this are refused by either side (the WebSocket closes with 1009). */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Accepted distance between the sender's `ts` and the receiver's clock. */
export const MAX_CLOCK_SKEW_MS = 300_000;

/**
 * The envelope every WebSocket text frame carries (docs/worker-protocol.md, "Frames"). `data`
 * stays a string: the signature covers its exact bytes, so it is parsed only after the signature
 * checks out. Unknown extra keys are ignored so later protocol versions can add fields without
 * breaking v1 receivers.
 */
export const envelopeSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.string().min(1).max(64),
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  ts: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  re: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  data: z.string(),
  sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "base64url without padding of a 32-byte HMAC"),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/**
 * The `seq` of a frame whose envelope failed validation, when it can still be read; else 0.
 * The `error` frame that answers it carries this as `re`.
 */
export function salvageSeq(parsed: unknown): number {
  if (parsed && typeof parsed === "object" && "seq" in parsed) {
    const seq = (parsed as { seq: unknown }).seq;
    if (typeof seq === "number" && Number.isSafeInteger(seq) && seq >= 1) return seq;
  }
  return 0;
}
