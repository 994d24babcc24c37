import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { CONN_NONCE_HEADER } from "../../../src/protocol/conn-key";

/**
 * Sits between an agent and the real hub: forwards HTTP and WebSocket traffic, and lets a test
 * rewrite hub → agent frames in flight, record them, and inject recorded ones into a later
 * connection (a man in the middle, to prove tampered and replayed frames are refused).
 */
export class TamperingProxy {
  tamper: ((frame: string) => string) | null = null;
  /** Every frame seen, in order, with the proxied connection it travelled on (1, 2, …). */
  readonly seen: Array<{ conn: number; from: "hub" | "agent"; text: string }> = [];
  private connections = 0;
  private current: { client: WebSocket; upstream: WebSocket } | null = null;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();

  private constructor(private readonly hubUrl: string) {
    this.server = createServer((req, res) => {
      const upstream = request(new URL(req.url ?? "/", hubUrl), { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on("error", () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    this.server.on("upgrade", (req, socket, head) => {
      const target = new URL(req.url ?? "/", hubUrl);
      target.protocol = "ws:";
      const nonce = req.headers[CONN_NONCE_HEADER];
      const upstream = new WebSocket(target, { headers: { authorization: req.headers.authorization ?? "", ...(typeof nonce === "string" ? { [CONN_NONCE_HEADER]: nonce } : {}) } });
      upstream.once("unexpected-response", (_r, res) => {
        socket.end(`HTTP/1.1 ${res.statusCode} Refused\r\nconnection: close\r\n\r\n`);
      });
      upstream.once("error", () => socket.destroy());
      upstream.once("open", () => {
        this.wss.handleUpgrade(req, socket, head, (client) => {
          const conn = ++this.connections;
          this.current = { client, upstream };
          // Either side may be reset when a test kills the hub or the agent: the close handlers
          // below end the pair, and the error must not be an unhandled 'error' event.
          client.on("error", () => upstream.terminate());
          upstream.on("error", () => client.terminate());
          this.sockets.add(client);
          this.sockets.add(upstream);
          upstream.on("message", (data) => {
            const text = data.toString("utf8");
            this.seen.push({ conn, from: "hub", text });
            client.send(this.tamper ? this.tamper(text) : text);
          });
          client.on("message", (data) => {
            const text = data.toString("utf8");
            this.seen.push({ conn, from: "agent", text });
            if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
          });
          upstream.on("close", () => client.close());
          client.on("close", () => upstream.close());
        });
      });
    });
  }

  static async start(hubUrl: string): Promise<TamperingProxy> {
    const proxy = new TamperingProxy(hubUrl);
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The number of WebSocket connections proxied so far. */
  get connectionCount(): number {
    return this.connections;
  }

  /** Sends a frame on the newest connection, to the agent as if from the hub, or to the hub as if from the agent. */
  inject(to: "agent" | "hub", text: string): void {
    const socket = to === "agent" ? this.current?.client : this.current?.upstream;
    if (!socket || socket.readyState !== WebSocket.OPEN) throw new Error(`no open connection to the ${to}`);
    socket.send(text);
  }

  /** Drops every proxied connection (the agent reconnects). */
  dropConnections(): void {
    for (const s of this.sockets) s.terminate();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.dropConnections();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
