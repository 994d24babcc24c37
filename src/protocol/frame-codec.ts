import { PROTOCOL_VERSION, type Envelope } from "./envelope";
import { signFrame, type FrameKey } from "./signing";

/** What a sender says about one frame; `ts` defaults to now and `re` to 0 (answers nothing). */
export interface OutgoingFrame {
  type: string;
  seq: number;
  re?: number;
  ts?: number;
  payload: unknown;
}

/** Serialises the payload into `data` and signs the envelope. Both directions use it. */
export function buildEnvelope(key: FrameKey, frame: OutgoingFrame): Envelope {
  const fields = {
    type: frame.type,
    seq: frame.seq,
    ts: frame.ts ?? Date.now(),
    re: frame.re ?? 0,
    data: JSON.stringify(frame.payload),
  };
  return { v: PROTOCOL_VERSION, ...fields, sig: signFrame(key, fields) };
}

/** A signed frame, ready to be sent as one WebSocket text frame. */
export function encodeFrame(key: FrameKey, frame: OutgoingFrame): string {
  return JSON.stringify(buildEnvelope(key, frame));
}
