import { PROTOCOL_VERSION, type Envelope } from "./envelope";
import { signFrame } from "./frame-signature";

/**
 * Builds a signed frame. Both sides use it: the hub for hub → worker frames and the reference
 * agent (and tests) for worker → hub frames.
 */
export function encodeFrame(
  key: Buffer,
  frame: { type: string; seq: number; re?: number; ts?: number; payload: unknown },
): string {
  const envelope = buildEnvelope(key, frame);
  return JSON.stringify(envelope);
}

export function buildEnvelope(
  key: Buffer,
  frame: { type: string; seq: number; re?: number; ts?: number; payload: unknown },
): Envelope {
  const fields = {
    type: frame.type,
    seq: frame.seq,
    ts: frame.ts ?? Date.now(),
    re: frame.re ?? 0,
    data: JSON.stringify(frame.payload),
  };
  return { v: PROTOCOL_VERSION, ...fields, sig: signFrame(key, fields) };
}
