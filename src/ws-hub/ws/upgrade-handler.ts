import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import { CONN_NONCE_HEADER, connTokenSchema } from "../../protocol/conn-key";
import { MAX_FRAME_BYTES } from "../../protocol/envelope";
import type { AuthenticatedWorker, WorkerAuthenticator } from "../../server/workers/worker-auth";
import { looksLikeJwt } from "../../server/workers/worker-jwt";
import { checkUnderLimit, type AuthFailureLimiter } from "../http/auth-failure-limiter";
import { bearerToken } from "../http/respond";

export const WS_PATH = "/v1/workers/ws";

function refuse(socket: Duplex, status: number, reason: string, code: string, message: string, extra = ""): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`,
  );
}

/**
 * Authenticates an upgrade request before the WebSocket handshake completes: any failure is
 * answered with a plain HTTP 401 (503 when the hub cannot check, e.g. the database is down) and
 * the socket is closed without ever becoming a WebSocket.
 */
export function createUpgradeHandler(deps: {
  auth: WorkerAuthenticator;
  limiter: AuthFailureLimiter;
  log: Logger;
  isClosing: () => boolean;
  /** `connNonce`: the worker's conn_nonce (docs/worker-protocol.md, "Connection keys"), null for a v1 worker. */
  onConnection: (ws: WebSocket, who: AuthenticatedWorker, connNonce: string | null) => void;
}) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: false });

  const handler = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const path = (req.url ?? "/").split("?")[0];
    if (deps.isClosing()) return refuse(socket, 503, "Service Unavailable", "unavailable", "The hub is shutting down; reconnect.", "Retry-After: 1\r\n");
    if (path !== WS_PATH) return refuse(socket, 404, "Not Found", "not_found", `Connect to ${WS_PATH}.`);
    const nonceHeader = req.headers[CONN_NONCE_HEADER];
    const connNonce = nonceHeader === undefined ? null : connTokenSchema.safeParse(nonceHeader);
    if (connNonce && !connNonce.success) {
      return refuse(socket, 400, "Bad Request", "bad_request", `${CONN_NONCE_HEADER} must be 22–64 base64url characters (32 random bytes recommended), sent once.`);
    }
    const token = bearerToken(req);
    const attempt = { client: req.socket.remoteAddress ?? "unknown", credential: token, endpoint: WS_PATH, cost: token && looksLikeJwt(token) ? ("cheap" as const) : ("lookup" as const) };
    checkUnderLimit(deps.limiter, attempt, () => deps.auth.authenticate(token)).then(
      (outcome) => {
        if (outcome.kind === "blocked") {
          return refuse(socket, 429, "Too Many Requests", "rate_limited", `Too many failed attempts. Retry in ${outcome.retryAfter} s.`, `Retry-After: ${outcome.retryAfter}\r\n`);
        }
        if (outcome.kind === "unauthorized") {
          return refuse(socket, 401, "Unauthorized", "unauthorized", 'Send a worker JWT or the raw API key as "Authorization: Bearer <token>".');
        }
        if (deps.isClosing() || socket.destroyed) return refuse(socket, 503, "Service Unavailable", "unavailable", "The hub is shutting down; reconnect.");
        wss.handleUpgrade(req, socket, head, (ws) => deps.onConnection(ws, outcome.value, connNonce ? connNonce.data : null));
      },
      (err: Error) => {
        deps.log.warn({ err: err.message }, "upgrade authentication failed");
        refuse(socket, 503, "Service Unavailable", "unavailable", "The hub cannot check credentials right now; retry with backoff.", "Retry-After: 5\r\n");
      },
    );
  };
  return { handler, close: () => wss.close() };
}
