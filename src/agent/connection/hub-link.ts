import WebSocket from "ws";
import { MAX_FRAME_BYTES } from "../../protocol/envelope";
import { encodeFrame } from "../../protocol/frame-codec";
import { HubFrameVerifier } from "../../protocol/hub-frame-verifier";
import type { HubFrame } from "../../protocol/hub-messages";
import type { WorkerFrameType, WorkerFrames } from "../../protocol/worker-messages";
import type { AgentLogger } from "../logger";
import { Backoff } from "../timing/backoff";
import { Outbox, type PendingFrame } from "./outbox";
import type { TokenKeeper } from "./token-keeper";
import { FatalAuthError } from "./worker-identity";

export interface HubLinkHandlers {
  onMessage(message: HubFrame): void;
  /** The socket is open and the outbox flushed: report the true state of every app. */
  onConnected(): void;
  /** The hub will never take this connection back (4000 replaced, 4001 key rotated, 401 after a refresh). */
  onFatal(reason: string): void;
}

/** More bad signatures than this within a minute: the connection is compromised (close 1008). */
const BAD_SIGNATURE_LIMIT = 10;
/** Above this much unsent data, droppable frames (stats, logs) are skipped rather than queued. */
const SLOW_SOCKET_BYTES = 4 * 1024 * 1024;
const RESEND_WINDOW_MS = 10_000;
/** docs/worker-protocol.md: the backoff starts over once a connection has lived this long. */
const STABLE_CONNECTION_MS = 60_000;
/** Reliable frames remembered by seq, so one the hub answered `internal` can be sent again. */
const SENT_MEMORY = 256;

/**
 * The signed WebSocket to the hub: connects with the current JWT, verifies every inbound frame,
 * signs every outbound one, and reconnects with jittered backoff whenever the socket drops.
 */
export class HubLink {
  private ws: WebSocket | null = null;
  private seq = 0;
  private verifier: HubFrameVerifier | null = null;
  private badSignatures: number[] = [];
  private readonly outbox = new Outbox();
  // Full jitter from 1 s to 30 s, as docs/worker-protocol.md asks of workers.
  private readonly backoff = new Backoff({ initialMs: 1_000, maxMs: 30_000, jitter: 1 });
  private sentReliable = new Map<number, PendingFrame>();
  private openedAt = 0;
  private refusedAfterRefresh = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private connecting = false;
  private connectedOnce = false;
  /** job_result frames written recently: a socket that dies right after may have lost them. */
  private recentResults: Array<{ frame: PendingFrame; at: number }> = [];

  constructor(
    private readonly wsUrl: string,
    private readonly key: Buffer,
    private readonly tokens: TokenKeeper,
    private readonly handlers: HubLinkHandlers,
    private readonly log: AgentLogger,
  ) {}

  static wsUrlFor(hubUrl: string): string {
    const url = new URL("/v1/workers/ws", hubUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.toString();
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  get hasConnectedOnce(): boolean {
    return this.connectedOnce;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 3_000);
      ws.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000, "agent stopping");
    });
  }

  /**
   * Sends one frame. Reliable frames are queued while the hub is away and sent on reconnect;
   * droppable ones (heartbeat, stats, logs) are skipped, since stale numbers are worse than none.
   */
  send<T extends WorkerFrameType>(type: T, payload: WorkerFrames[T], options: { reliable?: boolean; re?: number } = {}): boolean {
    const frame: PendingFrame<T> = { type, payload, re: options.re ?? 0 };
    if (this.isOpen && (options.reliable || this.ws!.bufferedAmount < SLOW_SOCKET_BYTES)) {
      if (this.write(frame)) {
        if (options.reliable) this.rememberSent(frame as PendingFrame);
        return true;
      }
    }
    if (options.reliable) this.outbox.push(frame as PendingFrame);
    return false;
  }

  private write(frame: PendingFrame): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    this.seq += 1;
    const text = encodeFrame(this.key, { type: frame.type, seq: this.seq, ts: Date.now(), re: frame.re, payload: frame.payload });
    if (Buffer.byteLength(text) > MAX_FRAME_BYTES) {
      this.log.error({ type: frame.type, bytes: Buffer.byteLength(text) }, "frame over 1 MiB not sent");
      return true;
    }
    ws.send(text);
    if (frame.type === "job_result") {
      const now = Date.now();
      this.recentResults = this.recentResults.filter((r) => now - r.at < RESEND_WINDOW_MS);
      this.recentResults.push({ frame, at: now });
    }
    return true;
  }

  private rememberSent(frame: PendingFrame): void {
    this.sentReliable.set(this.seq, frame);
    if (this.sentReliable.size > SENT_MEMORY) this.sentReliable.delete(this.sentReliable.keys().next().value!);
  }

  /** The hub could not apply one of our frames (`internal`): send it again after a pause. */
  private resendLater(seq: number): void {
    const frame = this.sentReliable.get(seq);
    if (!frame) return;
    this.sentReliable.delete(seq);
    const timer = setTimeout(() => this.send(frame.type, frame.payload as never, { reliable: true, re: frame.re }), 2_000);
    timer.unref();
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.connecting) return;
    this.connecting = true;
    let token: string;
    try {
      token = await this.tokens.token();
    } catch (err) {
      this.connecting = false;
      this.log.warn({ err: (err as Error).message }, "cannot get a worker token; retrying");
      this.scheduleReconnect();
      return;
    }
    const ws = new WebSocket(this.wsUrl, {
      headers: { authorization: `Bearer ${token}` },
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 15_000,
      perMessageDeflate: false,
    });
    this.ws = ws;
    ws.on("unexpected-response", (_req, res) => {
      this.log.warn({ status: res.statusCode }, "hub refused the WebSocket upgrade");
      res.resume();
      ws.terminate();
      if (res.statusCode !== 401) return;
      // A 401 means the JWT went stale or the key was rotated: refresh once; a second 401 is final.
      if (this.refusedAfterRefresh) {
        this.stopped = true;
        this.handlers.onFatal("the hub refused the WebSocket upgrade (401) even with a fresh token");
        return;
      }
      this.refusedAfterRefresh = true;
      void this.tokens.refreshNow().catch((err: Error) => {
        // Only a refused key is final; a hub that is briefly unreachable is retried by the reconnect.
        if (!(err instanceof FatalAuthError)) return;
        this.stopped = true;
        this.handlers.onFatal(`the hub refused to refresh the worker token: ${err.message}`);
      });
    });
    ws.on("open", () => {
      this.connecting = false;
      this.seq = 0;
      this.openedAt = Date.now();
      this.refusedAfterRefresh = false;
      this.sentReliable = new Map();
      this.verifier = new HubFrameVerifier(this.key);
      this.badSignatures = [];
      this.connectedOnce = true;
      this.log.info({ url: this.wsUrl }, "connected to the hub");
      const pending = this.outbox.drain();
      for (let i = 0; i < pending.length; i++) {
        if (!this.write(pending[i]!)) {
          this.outbox.restore(pending.slice(i));
          break;
        }
        this.rememberSent(pending[i]!);
      }
      this.handlers.onConnected();
    });
    ws.on("message", (data, isBinary) => this.receive(isBinary ? "" : data.toString("utf8"), isBinary));
    ws.on("error", (err) => this.log.warn({ err: err.message }, "hub socket error"));
    ws.on("close", (code, reason) => {
      this.connecting = false;
      // A socket we already replaced ourselves (its close arrived late) changes nothing.
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.openedAt && Date.now() - this.openedAt >= STABLE_CONNECTION_MS) this.backoff.reset();
      this.openedAt = 0;
      // Results written just before the drop may never have reached the hub (or its database):
      // send them again on the next connection; the hub ignores a result for a job already ended.
      const now = Date.now();
      for (const r of this.recentResults) if (now - r.at < RESEND_WINDOW_MS) this.outbox.push(r.frame);
      this.recentResults = [];
      this.log.warn({ code, reason: reason.toString() }, "hub connection closed");
      if (code === 4000 || code === 4001) {
        this.stopped = true;
        this.handlers.onFatal(
          code === 4000
            ? "another agent connected with this worker's key and replaced this one (4000); run one agent per worker"
            : "the hub rotated this worker's key or deleted the worker (4001); register again with the new key",
        );
        return;
      }
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.backoff.next();
    this.log.info({ inMs: delay }, "reconnecting to the hub");
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
  }

  private receive(raw: string, isBinary: boolean): void {
    const verifier = this.verifier;
    if (!verifier) return;
    if (isBinary) {
      this.log.warn("binary frame from the hub ignored");
      this.send("error", { code: "bad_envelope", message: "frames are UTF-8 text" });
      return;
    }
    const verdict = verifier.verify(raw);
    switch (verdict.kind) {
      case "accept":
        if (verdict.message.type === "error" && verdict.message.data.code === "internal") this.resendLater(verdict.message.re);
        this.handlers.onMessage(verdict.message);
        return;
      case "replay":
        this.log.warn({ seq: verdict.seq, replays: verifier.replayCount }, "replayed hub frame dropped");
        return;
      case "too_large":
        this.ws?.close(1009, "frame too large");
        return;
      case "reject":
        this.log.warn({ code: verdict.code, re: verdict.re, reason: verdict.reason }, "hub frame rejected and ignored");
        if (verdict.answer) this.send("error", { code: verdict.code, message: verdict.reason }, { re: verdict.re });
        if (verdict.code === "bad_signature") this.countBadSignature();
    }
  }

  private countBadSignature(): void {
    const now = Date.now();
    this.badSignatures = this.badSignatures.filter((t) => now - t < 60_000);
    this.badSignatures.push(now);
    if (this.badSignatures.length >= BAD_SIGNATURE_LIMIT) {
      this.log.error("too many badly signed hub frames; dropping the connection");
      this.ws?.close(1008, "bad signatures");
    }
  }
}
