import WebSocket from "ws";
import { CONN_NONCE_HEADER, deriveConnKey, newConnToken } from "../../src/protocol/conn-key";
import { envelopeSchema } from "../../src/protocol/envelope";
import { encodeFrame } from "../../src/protocol/frame-codec";
import { verifyFrameSignature } from "../../src/protocol/signing";

/**
 * A simulated worker: the real protocol (signed frames both ways, connection keys after
 * `welcome` as the reference agent uses them), as little else as possible.
 */
export class BenchWorker {
  seq = 0;
  /** K until `welcome`, then K_conn (docs/worker-protocol.md, "Connection keys"). */
  private frameKey: Buffer;
  private probes = new Map<number, () => void>();
  onJob?: (jobId: number, at: number) => void;
  badFrames = 0;

  private constructor(
    readonly ws: WebSocket,
    readonly key: Buffer,
    private readonly connNonce: string,
  ) {
    this.frameKey = key;
    ws.on("message", (raw) => {
      const at = performance.now();
      const env = envelopeSchema.safeParse(JSON.parse(raw.toString()));
      if (!env.success || !verifyFrameSignature(this.frameKey, env.data, env.data.sig)) {
        this.badFrames++;
        return;
      }
      if (env.data.type === "welcome") {
        const { session } = JSON.parse(env.data.data) as { session?: string };
        if (session) this.frameKey = deriveConnKey(key, this.connNonce, session);
      } else if (env.data.type === "job") this.onJob?.((JSON.parse(env.data.data) as { job_id: number }).job_id, at);
      else if (env.data.type === "error") {
        const done = this.probes.get(env.data.re);
        if (done) {
          this.probes.delete(env.data.re);
          done();
        }
      }
    });
  }

  /** Opens the socket and resolves when `welcome` arrives. */
  static connect(url: string, token: string, key: Buffer): Promise<BenchWorker> {
    return new Promise((resolve, reject) => {
      const connNonce = newConnToken();
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}`, [CONN_NONCE_HEADER]: connNonce }, perMessageDeflate: false });
      const w = new BenchWorker(ws, key, connNonce);
      ws.once("message", () => resolve(w));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  send(type: string, payload: unknown): void {
    this.ws.send(encodeFrame(this.frameKey, { type, seq: ++this.seq, payload }));
  }

  /** Resolves when the hub has processed everything sent before (frames are handled in order). */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      const seq = ++this.seq;
      this.probes.set(seq, resolve);
      this.ws.send(encodeFrame(this.frameKey, { type: "bench_probe", seq, payload: {} }));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
