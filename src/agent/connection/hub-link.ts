import WebSocket from "ws";
import { CONN_NONCE_HEADER, newConnToken } from "../../protocol/conn-key";
import { MAX_FRAME_BYTES } from "../../protocol/envelope";
import { HubFrameVerifier } from "../../protocol/hub-frame-verifier";
import type { HubFrame } from "../../protocol/hub-messages";
import type { AgentLogger } from "../logger";
import { Backoff } from "../timing/backoff";
import type { TokenKeeper } from "./token-keeper";
import type { Uplink } from "./uplink";
import { FatalAuthError } from "./worker-identity";

export interface HubLinkHandlers {
  onMessage(message: HubFrame): void;
  /** The hub welcomed the connection and the queued frames are sent: report the true state of every app. */
  onConnected(): void;
  /** The hub will never take this connection back (4000 replaced, 4001 key rotated, 401 after a refresh). */
  onFatal(reason: string): void;
}

export interface HubLinkDeps {
  hubUrl: string;
  /** K (docs/worker-protocol.md, "Frames"): signs the welcome; every later frame uses the connection's key derived from it. */
  key: Buffer;
  tokens: TokenKeeper;
  /** Carries the agent's frames; each socket this link opens is attached to it. */
  uplink: Uplink;
  handlers: HubLinkHandlers;
  log: AgentLogger;
}

/** More bad signatures than this within a minute: the connection is compromised (close 1008). */
const BAD_SIGNATURE_LIMIT = 10;
/** docs/worker-protocol.md: the backoff starts over once a connection has lived this long. */
const STABLE_CONNECTION_MS = 60_000;

/**
 * The signed WebSocket to the hub: connects with the current JWT and a fresh connection nonce,
 * verifies every inbound frame, hands the socket to the uplink (which signs every outbound one)
 * once the hub's welcome has bound the connection's key, and reconnects with jittered backoff
 * whenever the socket drops. Nothing is sent before the welcome: the frame key of the connection
 * (docs/worker-protocol.md, "Connection keys") is not known until then, so the uplink queues
 * reliable frames and skips the rest.
 */
export class HubLink {
  private readonly wsUrl: string;
  private ws: WebSocket | null = null;
  private verifier: HubFrameVerifier | null = null;
  private connNonce = "";
  private welcomed = false;
  private badSignatures: number[] = [];
  // Full jitter from 1 s to 30 s, as docs/worker-protocol.md asks of workers.
  private readonly backoff = new Backoff({ initialMs: 1_000, maxMs: 30_000, jitter: 1 });
  private openedAt = 0;
  private refusedAfterRefresh = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private connecting = false;

  constructor(private readonly deps: HubLinkDeps) {
    const url = new URL("/v1/workers/ws", deps.hubUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    this.wsUrl = url.toString();
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

  private async connect(): Promise<void> {
    if (this.stopped || this.connecting) return;
    this.connecting = true;
    let token: string;
    try {
      token = await this.deps.tokens.token();
    } catch (err) {
      this.connecting = false;
      this.deps.log.warn({ err: (err as Error).message }, "cannot get a worker token; retrying");
      this.scheduleReconnect();
      return;
    }
    this.connNonce = newConnToken();
    const ws = new WebSocket(this.wsUrl, {
      headers: { authorization: `Bearer ${token}`, [CONN_NONCE_HEADER]: this.connNonce },
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 15_000,
      perMessageDeflate: false,
    });
    this.ws = ws;
    ws.on("unexpected-response", (_req, res) => {
      this.deps.log.warn({ status: res.statusCode }, "hub refused the WebSocket upgrade");
      res.resume();
      ws.terminate();
      if (res.statusCode !== 401) return;
      // A 401 means the JWT went stale or the key was rotated: refresh once; a second 401 is final.
      if (this.refusedAfterRefresh) {
        this.stopped = true;
        this.deps.handlers.onFatal("the hub refused the WebSocket upgrade (401) even with a fresh token");
        return;
      }
      this.refusedAfterRefresh = true;
      void this.deps.tokens.refreshNow().catch((err: Error) => {
        // Only a refused key is final; a hub that is briefly unreachable is retried by the reconnect.
        if (!(err instanceof FatalAuthError)) return;
        this.stopped = true;
        this.deps.handlers.onFatal(`the hub refused to refresh the worker token: ${err.message}`);
      });
    });
    ws.on("open", () => {
      this.connecting = false;
      this.openedAt = Date.now();
      this.refusedAfterRefresh = false;
      this.verifier = new HubFrameVerifier(this.deps.key, Date.now, this.connNonce);
      this.welcomed = false;
      this.badSignatures = [];
      this.deps.log.info({ url: this.wsUrl }, "connected to the hub");
    });
    ws.on("message", (data, isBinary) => this.receive(isBinary ? "" : data.toString("utf8"), isBinary));
    ws.on("error", (err) => this.deps.log.warn({ err: err.message }, "hub socket error"));
    ws.on("close", (code, reason) => {
      this.connecting = false;
      // A socket we already replaced ourselves (its close arrived late) changes nothing.
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.openedAt && Date.now() - this.openedAt >= STABLE_CONNECTION_MS) this.backoff.reset();
      this.openedAt = 0;
      this.deps.uplink.detach();
      this.deps.log.warn({ code, reason: reason.toString() }, "hub connection closed");
      if (code === 4000 || code === 4001) {
        this.stopped = true;
        this.deps.handlers.onFatal(
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
    this.deps.log.info({ inMs: delay }, "reconnecting to the hub");
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
  }

  private receive(raw: string, isBinary: boolean): void {
    const verifier = this.verifier;
    if (!verifier) return;
    if (isBinary) {
      this.deps.log.warn("binary frame from the hub ignored");
      this.deps.uplink.send("error", { code: "bad_envelope", message: "frames are UTF-8 text" });
      return;
    }
    const verdict = verifier.verify(raw);
    switch (verdict.kind) {
      case "accept":
        if (!this.welcomed) this.welcome(verifier);
        if (verdict.message.type === "error" && verdict.message.data.code === "internal") this.deps.uplink.resendLater(verdict.message.re);
        this.deps.handlers.onMessage(verdict.message);
        return;
      case "replay":
        this.deps.log.warn({ seq: verdict.seq, replays: verifier.replayCount }, "replayed hub frame dropped");
        return;
      case "too_large":
        this.ws?.close(1009, "frame too large");
        return;
      case "unbound":
        this.deps.log.error({ reason: verdict.reason }, "the hub did not bind this connection's frame key; reconnecting");
        this.ws?.close(1008, "connection not bound");
        return;
      case "reject":
        this.deps.log.warn({ code: verdict.code, re: verdict.re, reason: verdict.reason }, "hub frame rejected and ignored");
        if (verdict.answer) this.deps.uplink.send("error", { code: verdict.code, message: verdict.reason }, { re: verdict.re });
        if (verdict.code === "bad_signature") this.countBadSignature();
    }
  }

  /** The welcome bound the connection: from now on our frames are signed with its key. */
  private welcome(verifier: HubFrameVerifier): void {
    const ws = this.ws;
    const key = verifier.sendKey;
    if (!ws || !key) return;
    this.welcomed = true;
    this.deps.uplink.attach(ws, key);
    this.deps.handlers.onConnected();
  }

  private countBadSignature(): void {
    const now = Date.now();
    this.badSignatures = this.badSignatures.filter((t) => now - t < 60_000);
    this.badSignatures.push(now);
    if (this.badSignatures.length >= BAD_SIGNATURE_LIMIT) {
      this.deps.log.error("too many badly signed hub frames; dropping the connection");
      this.ws?.close(1008, "bad signatures");
    }
  }
}
