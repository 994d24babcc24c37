import type { Envelope } from "../../../src/protocol/envelope";
import { signFrame as signFields, signingInput as inputOfFields, verifyFrameSignature } from "../../../src/protocol/signing";

/**
 * The agent's frame-codec test vectors are written as positional parts (type, seq, ts, re,
 * data); src/protocol/signing.ts takes the signed fields as one object. These pass them through.
 */
export function signingInput(type: string, seq: number, ts: number, re: number, data: string): string {
  return inputOfFields({ type, seq, ts, re, data });
}

export function signFrame(key: Buffer, type: string, seq: number, ts: number, re: number, data: string): string {
  return signFields(key, { type, seq, ts, re, data });
}

export function hasValidSignature(key: Buffer, env: Envelope): boolean {
  return verifyFrameSignature(key, env, env.sig);
}
