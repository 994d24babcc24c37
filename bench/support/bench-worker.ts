import WebSocket from "ws";
import { envelopeSchema } from "../../src/protocol/envelope";
import { encodeFrame } from "../../src/protocol/frame-codec";
import { verifyFrameSignature } from "../../src/protocol/signing";

/** A simulated worker: the real protocol (signed frames both ways), as little else as possible. */
export class BenchWorker {
  seq = 0;
  private probes = new Map<number, () => void>();
  onJob?: (jobId: number, at: number) => void;
  badFrames = 0;

  private constructor(
    readonly ws: WebSocket,
    readonly key: Buffer,
  ) {
    ws.on("message", (raw) => {
      const at = performance.now();
      const env = envelopeSchema.safeParse(JSON.parse(raw.toString()));
      if (!env.success || !verifyFrameSignature(key, env.data, env.data.sig)) {
        this.badFrames++;
        return;
      }
      if (env.data.type === "job") this.onJob?.((JSON.parse(env.data.data) as { job_id: number }).job_id, at);
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
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
      const w = new BenchWorker(ws, key);
      ws.once("message", () => resolve(w));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  send(type: string, payload: unknown): void {
    this.ws.send(encodeFrame(this.key, { type, seq: ++this.seq, payload }));
  }

  /** Resolves when the hub has processed everything sent before (frames are handled in order). */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      const seq = ++this.seq;
      this.probes.set(seq, resolve);
      this.ws.send(encodeFrame(this.key, { type: "bench_probe", seq, payload: {} }));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
