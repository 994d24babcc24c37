import { hashApiKey, hashApiKeyBytes } from "../../src/protocol/api-key";
import type { WorkerJwtSigner } from "../../src/server/workers/worker-jwt";
import { BenchWorker } from "./bench-worker";

/** What a socket may hold unsent before the worker skips a frame (an agent would keep it in its buffer instead). */
const MAX_BUFFERED_BYTES = 1 << 20;
const WELCOME_TIMEOUT_MS = 15_000;

export interface FleetCounters {
  frames: number;
  lines: number;
  /** Frames not sent because the socket was down or its send buffer full. */
  skipped: number;
  /** Connections made again after one was lost. */
  reconnects: number;
}

/**
 * One simulated worker that stays connected as an agent does: signs a fresh JWT for each
 * connection (src/server/workers/worker-jwt.ts), and when the hub goes away tries again with a
 * capped, jittered backoff, so a hub killed mid-run sees its workers come back once it serves again.
 */
export class FleetWorker {
  private conn?: BenchWorker;
  private closed = false;
  private attempt = 0;
  private timer?: NodeJS.Timeout;
  private tick = 0;
  private everConnected = false;

  constructor(
    private readonly hubWs: string,
    private readonly signer: WorkerJwtSigner,
    readonly worker: { id: number; apiKey: string; appId: number },
    private readonly counters: FleetCounters,
  ) {}

  get connected(): boolean {
    return this.conn?.ws.readyState === 1;
  }

  connect(): void {
    if (this.closed) return;
    void this.open().catch(() => this.retry());
  }

  private async open(): Promise<void> {
    const { token } = await this.signer.sign(this.worker.id, hashApiKey(this.worker.apiKey));
    const connecting = BenchWorker.connect(this.hubWs, token, hashApiKeyBytes(this.worker.apiKey));
    // A socket the hub's kill closes after the upgrade but before `welcome` settles nothing: give up on it and try again.
    let timer: NodeJS.Timeout | undefined;
    const conn = await Promise.race([
      connecting,
      new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error("no welcome within 15 s")), WELCOME_TIMEOUT_MS))),
    ]).catch((err: Error) => {
      connecting.then((late) => late.close(), () => undefined);
      throw err;
    }).finally(() => clearTimeout(timer));
    // After the upgrade: a reset (the hub killed) is an 'error' and then a 'close'; the close reconnects.
    conn.ws.on("error", () => undefined);
    conn.ws.once("close", () => {
      if (this.conn === conn) this.conn = undefined;
      this.retry();
    });
    if (this.closed) return conn.close();
    this.conn = conn;
    this.attempt = 0;
    if (this.everConnected) this.counters.reconnects += 1;
    this.everConnected = true;
    // As an agent's first frame after welcome: its health, so the scheduler counts it online.
    this.send("heartbeat", { status: "online", cpu_used: 0.5, mem_used: 512, running_apps: 1 });
  }

  private retry(): void {
    if (this.closed || this.timer) return;
    this.attempt += 1;
    const delay = Math.min(5_000, 250 * 2 ** Math.min(this.attempt, 5)) * (0.5 + Math.random());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect();
    }, delay);
  }

  /** A signed frame if the socket is up and not backed up; counted either way. */
  send(type: string, payload: unknown, lines = 0): void {
    const conn = this.conn;
    if (!conn || conn.ws.readyState !== 1 || conn.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.counters.skipped += 1;
      return;
    }
    conn.send(type, payload);
    this.counters.frames += 1;
    this.counters.lines += lines;
  }

  /** The app's stats and a few runtime log lines, as an agent ships them. */
  stream(linesPerFrame: number): void {
    const i = ++this.tick;
    const appId = this.worker.appId;
    this.send("app_stats", { apps: [{ app_id: appId, cpu_pct: (i * 7) % 100, mem_bytes: 1e8 + (i % 50) * 1e6, mem_limit: 5e8, net_mbps: 1, net_total_bytes: i * 1000, disk_mbps: 0.1 }] });
    const ts = new Date().toISOString();
    const lines = Array.from({ length: linesPerFrame }, (_, j) => ({ app_id: appId, ts, stream: "stdout" as const, line: `GET /api/items?page=${j} 200 ${(i + j) % 40}ms worker=${this.worker.id} tick=${i}` }));
    this.send("runtime_log", { lines }, linesPerFrame);
  }

  heartbeat(): void {
    this.send("heartbeat", { status: "online", cpu_used: 0.5, mem_used: 512, running_apps: 1 });
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.conn?.close();
  }
}
