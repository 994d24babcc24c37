import { deriveConnKey } from "./conn-key";
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
  | { kind: "too_large"; bytes: number }
  /** A connection-bound verifier got a welcome that does not bind this connection: drop the connection. */
  | { kind: "unbound"; reason: string };

/**
 * Runs the receiver checks of docs/worker-protocol.md ("Checks, in order": size, envelope,
 * signature, clock, seq, type, payload) on one hub → worker frame. One verifier per connection:
 * the seq window is per connection. (The hub checks worker frames in
 * src/ws-hub/ws/worker-connection.ts with the same building blocks: it also counts, logs and
 * authorises, and handles a worker's `error` frames before the type check.)
 *
 * Given the `connNonce` the worker sent in its upgrade request, it also runs the connection-key
 * rule (docs/worker-protocol.md, "Connection keys"): the first frame must be a `welcome` signed
 * with K that carries a `session` and echoes the nonce; every later frame must be signed with
 * K_conn, which `sendKey` then holds for the worker's own frames. Without it (a v1 worker), every
 * frame is signed with K and `sendKey` is K from the start.
 */
export class HubFrameVerifier {
  private readonly window = new SeqWindow(256);
  private key: Buffer;
  private bound: Buffer | null;

  constructor(
    private readonly baseKey: Buffer,
    private readonly now: () => number = Date.now,
    private readonly connNonce: string | null = null,
  ) {
    this.key = baseKey;
    this.bound = connNonce === null ? baseKey : null;
  }

  get replayCount(): number {
    return this.window.replayCount;
  }

  /** The key the worker signs its frames with on this connection; null until the welcome binds it. */
  get sendKey(): Buffer | null {
    return this.bound;
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
    if (this.bound === null) return this.bind(message);
    return { kind: "accept", message };
  }

  /** The first frame of a connection-bound connection: only a welcome for this very connection binds it. */
  private bind(message: HubFrame): Verdict {
    if (message.type !== "welcome") return { kind: "unbound", reason: `the hub sent ${message.type} before welcome` };
    const { session, conn_nonce } = message.data;
    if (!session) return { kind: "unbound", reason: "the hub's welcome has no session: the hub does not support connection keys (upgrade it)" };
    if (conn_nonce !== this.connNonce) return { kind: "unbound", reason: "the welcome answers another connection's nonce (a replayed welcome)" };
    this.key = deriveConnKey(this.baseKey, this.connNonce!, session);
    this.bound = this.key;
    return { kind: "accept", message };
  }
}
