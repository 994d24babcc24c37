import { MAX_CLOCK_SKEW_MS, MAX_FRAME_BYTES, envelopeSchema, salvageSeq } from "./envelope";
import type { FrameErrorCode } from "./error-codes";
import { hubMessageSchemas, isHubMessageType, type HubFrame } from "./hub-messages";
import { SeqWindow } from "./seq-window";
import { verifyFrameSignature } from "./signing";

export type Verdict =
  | { kind: "accept"; message: HubFrame }
  /** Refused: log it; answer with an error frame when `answer` (never for error frames, to avoid ping-pong). */
  | { kind: "reject"; code: FrameErrorCode; re: number; reason: string; answer: boolean }
  /** Replay: dropped without an answer, as docs/worker-protocol.md asks. */
  | { kind: "replay"; seq: number }
  | { kind: "too_large"; bytes: number };

/**
 * Runs the receiver checks of docs/worker-protocol.md ("Checks, in order": size, envelope,
 * signature, clock, seq, type, payload) on one hub → worker frame. One verifier per connection:
 * the seq window is per connection. (The hub checks worker frames in
 * src/ws-hub/ws/worker-connection.ts with the same building blocks: it also counts, logs and
 * authorises, and handles a worker's `error` frames before the type check.)
 */
export class HubFrameVerifier {
  private readonly window = new SeqWindow(256);

  constructor(
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  get replayCount(): number {
    return this.window.replayCount;
  }

  verify(raw: string): Verdict {
    const bytes = Buffer.byteLength(raw, "utf8");
    if (bytes > MAX_FRAME_BYTES) return { kind: "too_large", bytes };

    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return { kind: "reject", code: "bad_envelope", re: 0, reason: "frame is not JSON", answer: true };
    }
    const parsed = envelopeSchema.safeParse(json);
    if (!parsed.success) {
      return { kind: "reject", code: "bad_envelope", re: salvageSeq(json), reason: parsed.error.issues[0]?.message ?? "bad envelope", answer: true };
    }
    const env = parsed.data;
    const answer = env.type !== "error";
    if (!verifyFrameSignature(this.key, env, env.sig)) {
      return { kind: "reject", code: "bad_signature", re: env.seq, reason: `signature of ${env.type} frame seq ${env.seq} does not verify`, answer };
    }
    const skew = Math.abs(this.now() - env.ts);
    if (skew > MAX_CLOCK_SKEW_MS) {
      return { kind: "reject", code: "clock_skew", re: env.seq, reason: `frame time is ${skew} ms away from ours`, answer };
    }
    if (!this.window.accept(env.seq)) return { kind: "replay", seq: env.seq };
    if (!isHubMessageType(env.type)) {
      return { kind: "reject", code: "unknown_type", re: env.seq, reason: `unknown frame type ${env.type}`, answer };
    }
    let data: unknown;
    try {
      data = JSON.parse(env.data);
    } catch {
      return { kind: "reject", code: "bad_payload", re: env.seq, reason: "data is not JSON", answer };
    }
    const payload = hubMessageSchemas[env.type].safeParse(data);
    if (!payload.success) {
      const issue = payload.error.issues[0];
      return { kind: "reject", code: "bad_payload", re: env.seq, reason: `${env.type}: ${issue?.path.join(".")} ${issue?.message}`, answer };
    }
    const message = { type: env.type, seq: env.seq, re: env.re, data: payload.data } as HubFrame;
    return { kind: "accept", message };
  }
}
