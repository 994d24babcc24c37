import WebSocket from "ws";
import { MAX_FRAME_BYTES } from "../../protocol/envelope";
import { encodeFrame } from "../../protocol/frame-codec";
import type { WorkerFrameType, WorkerFrames } from "../../protocol/worker-messages";
import type { AgentLogger } from "../logger";
import { Outbox, type PendingFrame } from "./outbox";

/** Above this much unsent data, droppable frames (stats, logs) are skipped rather than queued. */
const SLOW_SOCKET_BYTES = 4 * 1024 * 1024;
const RESEND_WINDOW_MS = 10_000;
/** Reliable frames remembered by seq, so one the hub answered `internal` can be sent again. */
const SENT_MEMORY = 256;

export interface SendOptions {
  /** Queue the frame while the hub is away and send it on the next connection. */
  reliable?: boolean;
  /** The seq of the hub frame this one answers. */
  re?: number;
  /**
   * Not queued while the hub is away (the caller keeps it), but sent again when the hub answers
   * it `internal` (its database was away): runtime logs, which the hub stores before answering.
   */
  resendOnInternal?: boolean;
}

/**
 * What the agent sends to the hub, across connections: signs and writes frames on the open
 * socket, queues reliable ones while there is none (they go out on the next connection with
 * fresh seqs, docs/worker-protocol.md "Reconnecting and refreshing"), and skips droppable ones.
 * It exists before the hub is first reached, so the runtime, the reporters and the job runner are
 * given it when they are built; the HubLink attaches each socket it opens.
 */
export class Uplink {
  private socket: { ws: WebSocket; key: Buffer } | null = null;
  private seq = 0;
  private readonly outbox = new Outbox();
  private sentReliable = new Map<number, PendingFrame>();
  /** job_result frames written recently: a socket that dies right after may have lost them. */
  private recentResults: Array<{ frame: PendingFrame; at: number }> = [];

  constructor(private readonly log: AgentLogger) {}

  get isOpen(): boolean {
    return this.socket?.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Sends one frame. Reliable frames are queued while the hub is away and sent on reconnect;
   * droppable ones (heartbeat, stats, logs) are skipped, since stale numbers are worse than none.
   */
  send<T extends WorkerFrameType>(type: T, payload: WorkerFrames[T], options: SendOptions = {}): boolean {
    const frame: PendingFrame<T> = { type, payload, re: options.re ?? 0 };
    if (this.isOpen && (options.reliable || this.socket!.ws.bufferedAmount < SLOW_SOCKET_BYTES)) {
      if (this.write(frame)) {
        if (options.reliable || options.resendOnInternal) this.rememberSent(frame as PendingFrame);
        return true;
      }
    }
    if (options.reliable) this.outbox.push(frame as PendingFrame);
    return false;
  }

  /** A connection opened: its seqs start at 1, and everything queued goes out first, oldest first. */
  attach(ws: WebSocket, key: Buffer): void {
    this.socket = { ws, key };
    this.seq = 0;
    this.sentReliable = new Map();
    const pending = this.outbox.drain();
    for (let i = 0; i < pending.length; i++) {
      if (!this.write(pending[i]!)) {
        this.outbox.restore(pending.slice(i));
        break;
      }
      this.rememberSent(pending[i]!);
    }
  }

  /**
   * The connection closed. Results written just before the drop may never have reached the hub
   * (or its database): they are sent again on the next connection; the hub ignores a result for
   * a job already ended.
   */
  detach(): void {
    this.socket = null;
    const now = Date.now();
    for (const r of this.recentResults) if (now - r.at < RESEND_WINDOW_MS) this.outbox.push(r.frame);
    this.recentResults = [];
  }

  /** The hub could not apply one of our frames (`internal`): send it again after a pause. */
  resendLater(seq: number): void {
    const frame = this.sentReliable.get(seq);
    if (!frame) return;
    this.sentReliable.delete(seq);
    const timer = setTimeout(() => this.send(frame.type, frame.payload as never, { reliable: true, re: frame.re }), 2_000);
    timer.unref();
  }

  private write(frame: PendingFrame): boolean {
    const socket = this.socket;
    if (!socket || socket.ws.readyState !== WebSocket.OPEN) return false;
    this.seq += 1;
    const text = encodeFrame(socket.key, { type: frame.type, seq: this.seq, ts: Date.now(), re: frame.re, payload: frame.payload });
    if (Buffer.byteLength(text) > MAX_FRAME_BYTES) {
      this.log.error({ type: frame.type, bytes: Buffer.byteLength(text) }, "frame over 1 MiB not sent");
      return true;
    }
    socket.ws.send(text);
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
}
