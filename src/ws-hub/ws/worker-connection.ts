import { createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import type { Logger } from "pino";
import type { RawData, WebSocket } from "ws";
import { CLOSE_CODES } from "../../protocol/close-codes";
import { deriveConnKey, newConnToken } from "../../protocol/conn-key";
import { envelopeSchema, MAX_CLOCK_SKEW_MS, salvageSeq, type Envelope } from "../../protocol/envelope";
import type { FrameErrorCode } from "../../protocol/error-codes";
import { encodeFrame } from "../../protocol/frame-codec";
import { FrameError } from "../../protocol/frame-error";
import type { HubMessage, HubMessageType } from "../../protocol/hub-messages";
import { SeqWindow } from "../../protocol/seq-window";
import { verifyFrameSignature } from "../../protocol/signing";
import { isWorkerMessageType, workerMessageSchemas, type WorkerMessageType } from "../../protocol/worker-messages";
import type { WorkerIdentity } from "../../server/workers/worker-lookup";
import type { HubMetrics } from "../hub-metrics";
import type { ConnectionOptions } from "./connection-options";
import { LOG_BURST_BYTES, LOG_BYTES_PER_SECOND, TokenBucket } from "./token-bucket";

export interface InboundFrame<T extends WorkerMessageType = WorkerMessageType> {
  type: T;
  payload: unknown;
  envelope: Envelope;
  /** Size of `data` in bytes (the log budget counts it). */
  dataBytes: number;
}

export type FrameDispatcher = (conn: WorkerConnection, frame: InboundFrame) => Promise<void>;

export interface ConnectionDeps {
  hubId: string;
  metrics: HubMetrics;
  log: Logger;
  options: ConnectionOptions;
  dispatch: FrameDispatcher;
  onClosed: (conn: WorkerConnection) => void;
}

function zodSummary(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join(".") || "data"}: ${i.message}`)
    .join("; ");
}

/**
 * One authenticated worker socket: verifies inbound frames in docs/worker-protocol.md order, processes them
 * one at a time (a worker's job_status always lands before its job_result), signs outbound
 * frames, and enforces keep-alive, write timeout and the bounded outbound queue.
 *
 * A worker that sent a conn_nonce gets a connection key (docs/worker-protocol.md, "Connection
 * keys"): the welcome, signed with K, carries a fresh session, and every other frame in both
 * directions is signed with K_conn, so a frame captured on another connection does not verify
 * here. A v1 worker (no nonce) keeps K for every frame.
 */
export class WorkerConnection {
  readonly id: string;
  readonly logBucket = new TokenBucket(LOG_BYTES_PER_SECOND, LOG_BURST_BYTES);
  lastSeen = Date.now();
  private lastPing = Date.now();
  private outSeq = 0;
  private readonly window = new SeqWindow(256);
  private badSignatures: number[] = [];
  private readonly writeTimes: number[] = [];
  private readonly inbound: { data: RawData; isBinary: boolean }[] = [];
  private draining: Promise<void> | undefined;
  private ready: Promise<boolean> = Promise.resolve(true);
  private closedFlag = false;
  /**
   * Set when the hub ends the connection (policy, limits, timeouts, replaced): frames still
   * waiting are dropped. A peer that closes (an agent's clean stop flushes its logs and closes at
   * once) has every frame it sent before the close applied.
   */
  private closedByHub = false;
  private readonly log: Logger;
  /**
   * The key of every frame but the welcome: K_conn, or K for a v1 worker. Both are KeyObjects made
   * once per connection, so no frame pays for turning bytes into a key (src/protocol/signing.ts).
   */
  private readonly connKey: KeyObject;
  private readonly welcomeKey: KeyObject;
  private readonly binding: { connNonce: string; session: string } | null;

  constructor(
    readonly socket: WebSocket,
    readonly worker: WorkerIdentity,
    readonly frameKey: Buffer,
    private readonly deps: ConnectionDeps,
    connNonce: string | null = null,
  ) {
    this.id = `${deps.hubId}:${randomBytes(8).toString("hex")}`;
    this.log = deps.log.child({ workerId: worker.id, conn: this.id });
    this.binding = connNonce === null ? null : { connNonce, session: newConnToken() };
    this.welcomeKey = createSecretKey(frameKey);
    this.connKey = this.binding ? createSecretKey(deriveConnKey(frameKey, this.binding.connNonce, this.binding.session)) : this.welcomeKey;
    if (!this.binding) {
      this.log.warn("worker connected without a conn_nonce (protocol v1 frame keys): its frames could be replayed on a later connection; upgrade the agent");
    }
    socket.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    socket.on("pong", () => (this.lastSeen = Date.now()));
    socket.on("ping", () => (this.lastSeen = Date.now()));
    socket.on("close", (code) => this.onClose(code));
    socket.on("error", (err) => this.log.debug({ err: err.message }, "socket error"));
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Frames wait until `gate` resolves (the DB claim of this connection); false closes it. */
  setReady(gate: Promise<boolean>): void {
    this.ready = gate;
  }

  /** Resolves true once this connection is recorded as the worker's live one. */
  whenReady(): Promise<boolean> {
    return this.ready;
  }

  /** Frames waiting to be processed plus frames waiting to be written. */
  get queueDepth(): number {
    return this.inbound.length + this.writeTimes.length;
  }

  /** The first frame of the connection; it carries the session that binds every later frame. */
  sendWelcome(serverTime: number): boolean {
    const binding = this.binding ? { session: this.binding.session, conn_nonce: this.binding.connNonce } : {};
    return this.send("welcome", { worker_id: this.worker.id, server_time: serverTime, ...binding });
  }

  send<T extends HubMessageType>(type: T, payload: HubMessage<T>, re = 0): boolean {
    if (this.closedFlag || this.socket.readyState !== this.socket.OPEN) return false;
    if (this.writeTimes.length >= this.deps.options.maxOutboundFrames || this.socket.bufferedAmount > this.deps.options.maxOutboundBytes) {
      this.close(CLOSE_CODES.tryAgainLater, "outbound queue full: read faster");
      return false;
    }
    this.outSeq += 1;
    // The welcome is signed with K: the worker cannot know K_conn before reading its session.
    const text = encodeFrame(type === "welcome" ? this.welcomeKey : this.connKey, { type, seq: this.outSeq, re, payload });
    this.writeTimes.push(Date.now());
    this.socket.send(text, (err) => {
      this.writeTimes.shift();
      if (err) this.log.debug({ err: err.message }, "write failed");
    });
    this.deps.metrics.framesOut.inc({ type });
    return true;
  }

  sendError(re: number, code: FrameErrorCode, message: string): void {
    this.deps.metrics.rejected.inc({ reason: code });
    this.send("error", { code, message }, re);
  }

  close(code: number, reason: string): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.closedByHub = true;
    this.deps.metrics.closes.inc({ code: String(code) });
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
    // A peer that never answers the close handshake must not hold the socket.
    setTimeout(() => this.socket.terminate(), 2_000).unref();
    this.deps.onClosed(this);
  }

  /** Periodic checks, driven by the registry's sweep timer. */
  tick(now: number): void {
    if (this.closedFlag) return;
    const o = this.deps.options;
    if (this.writeTimes.length > 0 && now - this.writeTimes[0]! > o.writeTimeoutMs) {
      this.deps.metrics.closes.inc({ code: "write_timeout" });
      this.closedFlag = true;
      this.closedByHub = true;
      this.socket.terminate();
      this.deps.onClosed(this);
      return;
    }
    if (now - this.lastSeen > o.idleTimeoutMs) {
      this.deps.metrics.closes.inc({ code: "idle" });
      this.closedFlag = true;
      this.closedByHub = true;
      this.socket.terminate();
      this.deps.onClosed(this);
      return;
    }
    if (now - this.lastPing >= o.pingIntervalMs) {
      this.lastPing = now;
      this.socket.ping();
    }
  }

  /** Stops reading new frames and waits until the ones received are processed (shutdown). */
  async quiesce(): Promise<void> {
    this.socket.pause();
    await this.draining;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastSeen = Date.now();
    this.inbound.push({ data, isBinary });
    if (this.inbound.length >= this.deps.options.maxInboundFrames && !this.socket.isPaused) this.socket.pause();
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  private async drain(): Promise<void> {
    if (!(await this.ready)) return;
    for (let next = this.inbound.shift(); next; next = this.inbound.shift()) {
      if (this.closedByHub) {
        this.inbound.length = 0;
        return;
      }
      await this.process(next.data, next.isBinary);
      if (this.socket.isPaused && this.inbound.length <= this.deps.options.maxInboundFrames / 4 && !this.closedFlag) this.socket.resume();
    }
  }

  private async process(data: RawData, isBinary: boolean): Promise<void> {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary) return this.sendError(0, "bad_envelope", "Send each frame as one UTF-8 text frame holding the JSON envelope.");
    let parsed: unknown;
    try {
      parsed = JSON.parse(buf.toString("utf8"));
    } catch {
      return this.sendError(0, "bad_envelope", "The frame is not a JSON object.");
    }
    const env = envelopeSchema.safeParse(parsed);
    if (!env.success) return this.sendError(salvageSeq(parsed), "bad_envelope", `Invalid envelope: ${zodSummary(env.error.issues)}.`);
    const e = env.data;
    if (!verifyFrameSignature(this.connKey, e, e.sig)) return this.badSignature(e.seq);
    const now = Date.now();
    if (Math.abs(now - e.ts) > MAX_CLOCK_SKEW_MS) {
      return this.sendError(e.seq, "clock_skew", `ts is ${Math.round((e.ts - now) / 1000)} s away from the hub's clock (limit 300 s); synchronise the worker's clock.`);
    }
    if (!this.window.accept(e.seq)) {
      this.deps.metrics.replays.inc();
      this.deps.metrics.rejected.inc({ reason: "replay" });
      return;
    }
    this.deps.metrics.framesIn.inc({ type: this.deps.metrics.typeLabel(e.type) });
    if (e.type === "error") {
      this.log.warn({ re: e.re, data: e.data.slice(0, 500) }, "worker reported an error");
      return;
    }
    if (!isWorkerMessageType(e.type)) return this.sendError(e.seq, "unknown_type", `Unknown message type "${e.type.slice(0, 64)}"; see docs/worker-protocol.md.`);
    let json: unknown;
    try {
      json = JSON.parse(e.data);
    } catch {
      return this.sendError(e.seq, "bad_payload", "data is not a JSON document.");
    }
    const payload = workerMessageSchemas[e.type].safeParse(json);
    if (!payload.success) return this.sendError(e.seq, "bad_payload", `Invalid ${e.type}: ${zodSummary(payload.error.issues)}.`);
    try {
      await this.deps.dispatch(this, { type: e.type, payload: payload.data, envelope: e, dataBytes: Buffer.byteLength(e.data) });
    } catch (err) {
      if (err instanceof FrameError) return this.sendError(e.seq, err.code, err.message);
      this.log.error({ err: (err as Error).message, type: e.type }, "frame handler failed");
      this.sendError(e.seq, "internal", "The hub could not apply this frame; it was not applied. Retry with a new seq after a backoff.");
    }
  }

  private badSignature(seq: number): void {
    const now = Date.now();
    const windowStart = now - this.deps.options.badSignatureWindowMs;
    this.badSignatures = this.badSignatures.filter((t) => t > windowStart);
    this.badSignatures.push(now);
    this.sendError(seq, "bad_signature", "The signature does not match; sign with K = sha256(api key) as docs/worker-protocol.md shows.");
    if (this.badSignatures.length >= this.deps.options.badSignatureLimit) {
      this.close(CLOSE_CODES.policyViolation, "too many bad signatures");
    }
  }

  private onClose(code: number): void {
    if (!this.closedFlag) {
      this.closedFlag = true;
      this.deps.metrics.closes.inc({ code: String(code) });
      this.deps.onClosed(this);
    }
  }
}
