import { createHmac, timingSafeEqual } from "node:crypto";
import { PROTOCOL_VERSION, type Envelope } from "./envelope";

/** The exact string both sides feed to HMAC-SHA256 (PROTOCOL.md, "Frames"). */
export function signingInput(type: string, seq: number, ts: number, re: number, data: string): string {
  return `v1\n${type}\n${seq}\n${ts}\n${re}\n${data}`;
}

/** base64url (no padding) of HMAC-SHA256(key, signingInput). */
export function signFrame(key: Buffer, type: string, seq: number, ts: number, re: number, data: string): string {
  return createHmac("sha256", key).update(signingInput(type, seq, ts, re, data), "utf8").digest("base64url");
}

/** Constant-time signature check of an already shape-validated envelope. */
export function hasValidSignature(key: Buffer, env: Envelope): boolean {
  const expected = Buffer.from(signFrame(key, env.type, env.seq, env.ts, env.re, env.data), "utf8");
  const given = Buffer.from(env.sig, "utf8");
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface OutgoingFrame {
  type: string;
  seq: number;
  ts: number;
  re: number;
  payload: unknown;
}

/** Serialises a payload and wraps it in a signed envelope, ready for one text frame. */
export function encodeFrame(key: Buffer, frame: OutgoingFrame): string {
  const data = JSON.stringify(frame.payload);
  const envelope: Envelope = {
    v: PROTOCOL_VERSION,
    type: frame.type,
    seq: frame.seq,
    ts: frame.ts,
    re: frame.re,
    data,
    sig: signFrame(key, frame.type, frame.seq, frame.ts, frame.re, data),
  };
  return JSON.stringify(envelope);
}
