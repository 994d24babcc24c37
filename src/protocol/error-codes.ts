import { z } from "zod";

/** Codes of `error` frames (docs/worker-protocol.md, "Checks, in order"). */
export const FRAME_ERROR_CODES = [
  "bad_envelope",
  "bad_signature",
  "clock_skew",
  "unknown_type",
  "bad_payload",
  "forbidden",
  "rate_limited",
  "internal",
] as const;
export type FrameErrorCode = (typeof FRAME_ERROR_CODES)[number];

/** The payload of an `error` frame, in either direction; `re` names the offending frame. */
export const errorPayloadSchema = z.object({
  code: z.enum(FRAME_ERROR_CODES),
  message: z.string(),
});
export type ErrorPayload = z.infer<typeof errorPayloadSchema>;
