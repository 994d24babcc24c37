import { z } from "zod";

/** Protocol version this agent speaks (PROTOCOL.md, "Frames"). */
export const PROTOCOL_VERSION = 1;
/** Largest frame either side accepts; larger frames close the socket with 1009. */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Allowed difference between the sender's `ts` and our clock. */
export const MAX_CLOCK_SKEW_MS = 300_000;

/**
 * The wire envelope. `data` stays a string: the signature covers its exact bytes, so it is only
 * parsed after the signature checks out.
 */
export const envelopeSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.string().min(1).max(64),
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  ts: z.number().int().min(0),
  re: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  data: z.string(),
  sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "base64url HMAC-SHA256 without padding"),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** Error codes a receiver answers with (PROTOCOL.md). */
export const errorCodes = [
  "bad_envelope",
  "bad_signature",
  "clock_skew",
  "unknown_type",
  "bad_payload",
  "forbidden",
  "rate_limited",
  "internal",
] as const;
export type ErrorCode = (typeof errorCodes)[number];
