/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies from the wire; the assertions check their shape */
import WebSocket from "ws";
import { hashApiKeyBytes } from "../../../src/protocol/api-key";
import { CONN_NONCE_HEADER, deriveConnKey, newConnToken } from "../../../src/protocol/conn-key";
import { envelopeSchema, type Envelope } from "../../../src/protocol/envelope";
import { encodeFrame } from "../../../src/protocol/frame-codec";
import { verifyFrameSignature } from "../../../src/protocol/signing";

export interface ReceivedFrame {
  type: string;
  seq: number;
  re: number;
  data: any;
  envelope: Envelope;
}

export interface ConnectOptions {
  waitWelcome?: boolean;
  /** Speak protocol v1 frame keys (no conn_nonce): every frame signed with K. */
  legacy?: boolean;
  /** The conn_nonce to send (default: a fresh one). */
  connNonce?: string;
}

/**
 * A test worker speaking the real protocol: signs what it sends, verifies what it receives.
 * By default it uses connection keys (docs/worker-protocol.md, "Connection keys"): `key` is K
 * until the welcome arrives and K_conn after it.
 */
export class TestWorker {
  readonly frames: ReceivedFrame[] = [];
  seq = 0;
  closeCode: number | undefined;
  closeReason = "";
  badHubFrames = 0;
  lastError: Error | undefined;
  private waiters: { pred: (f: ReceivedFrame) => boolean; resolve: (f: ReceivedFrame) => void }[] = [];
  private readonly closed: Promise<number>;
  /** K, from the API key. */
  readonly baseKey: Buffer;
  private connKey: Buffer | null = null;

  private constructor(
    readonly ws: WebSocket,
    apiKey: string,
    readonly connNonce: string | null,
  ) {
    this.baseKey = hashApiKeyBytes(apiKey);
    // A socket error after the handshake (the hub killed or restarted by a test) must not be an
    // unhandled 'error' event: it is recorded, and the close that follows settles `closed`.
    ws.on("error", (err) => (this.lastError = err));
    ws.on("message", (raw) => {
      const env = envelopeSchema.safeParse(JSON.parse(raw.toString()));
      const welcome = env.success && env.data.type === "welcome" && this.connKey === null;
      if (!env.success || !verifyFrameSignature(welcome ? this.baseKey : this.key, env.data, env.data.sig)) {
        this.badHubFrames++;
        return;
      }
      const f: ReceivedFrame = { type: env.data.type, seq: env.data.seq, re: env.data.re, data: JSON.parse(env.data.data), envelope: env.data };
      if (welcome && this.connNonce && f.data.session && f.data.conn_nonce === this.connNonce) this.connKey = deriveConnKey(this.baseKey, this.connNonce, f.data.session);
      this.frames.push(f);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(f)) return true;
        w.resolve(f);
        return false;
      });
    });
    this.closed = new Promise((resolve) =>
      ws.on("close", (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve(code);
      }),
    );
  }

  /** The key this worker signs with: K_conn once the welcome bound the connection, else K. */
  get key(): Buffer {
    return this.connKey ?? this.baseKey;
  }

  /** Connects with `token` (JWT or raw key) and waits for `welcome`. */
  static async connect(baseUrl: string, token: string, apiKey: string, options: ConnectOptions = {}): Promise<TestWorker> {
    const connNonce = options.legacy ? null : (options.connNonce ?? newConnToken());
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (connNonce) headers[CONN_NONCE_HEADER] = connNonce;
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/v1/workers/ws`, { headers });
    const client = new TestWorker(ws, apiKey, connNonce);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once("error", reject);
    });
    if (options.waitWelcome !== false) await client.waitFor((f) => f.type === "welcome");
    return client;
  }

  send(type: string, payload: unknown, overrides: { seq?: number; ts?: number; re?: number } = {}): number {
    const seq = overrides.seq ?? ++this.seq;
    this.ws.send(encodeFrame(this.key, { type, seq, ts: overrides.ts, re: overrides.re, payload }));
    return seq;
  }

  sendRaw(text: string | Buffer, binary = false): void {
    this.ws.send(text, { binary });
  }

  waitFor(pred: (f: ReceivedFrame) => boolean, timeoutMs = 10_000): Promise<ReceivedFrame> {
    const found = this.frames.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching frame within ${timeoutMs} ms; last frames: ${JSON.stringify(this.frames.slice(-10).map((f) => [f.type, f.re, f.data?.code]))}` +
                `; close code ${this.closeCode ?? "none"}; unverifiable hub frames ${this.badHubFrames}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  /** The error answering `seq`. */
  errorFor(seq: number, timeoutMs?: number): Promise<ReceivedFrame> {
    return this.waitFor((f) => f.type === "error" && f.re === seq, timeoutMs);
  }

  errors(): ReceivedFrame[] {
    return this.frames.filter((f) => f.type === "error");
  }

  /** Sends a heartbeat and waits until the hub has processed every earlier frame (frames are serial). */
  async roundTrip(timeoutMs?: number): Promise<void> {
    // An unknown type is answered after everything sent before it has been processed.
    const seq = this.send("zz_ping_probe", {});
    await this.errorFor(seq, timeoutMs);
  }

  waitClose(timeoutMs = 10_000): Promise<number> {
    return Promise.race([this.closed, new Promise<number>((_, reject) => setTimeout(() => reject(new Error("not closed in time")), timeoutMs))]);
  }

  close(): void {
    this.ws.terminate();
  }
}
