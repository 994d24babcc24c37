import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { handleApiRequest, tokenRateLimitKey } from "../../../src/server/public-api/handle-api-request";
import { bearerToken } from "../../../src/server/api-tokens/token-secret";
import type { Services } from "../../../src/server/runtime/services";

export interface SeenRequest {
  method: string;
  path: string;
  lastEventId: string | null;
  status: number;
}

/**
 * The real /api/v1 handler (src/server/public-api/handle-api-request.ts) on a real HTTP port, as
 * the web process serves it, for running the `wh` bin against. Two faults a client meets in the
 * field can be caused on purpose: every open event stream's connection cut (a proxy or network
 * drop), and the next requests rate limited by the platform's own limiter (a real 429 with
 * Retry-After: 1 and the API's error body).
 */
export async function startApiServer(services: Services) {
  const seen: SeenRequest[] = [];
  const streams = new Set<Socket>();
  let throttleNext = 0;

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    // The web server appends the connecting peer (src/server/http/forwarded-for.ts).
    headers.set("x-forwarded-for", "127.0.0.1");
    const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined, signal: abort.signal });
    let rateLimit: { limit: number; windowSeconds: number } | undefined;
    const secret = bearerToken(headers.get("authorization"));
    if (throttleNext > 0 && secret) {
      throttleNext--;
      // A fresh one-second bucket that is already over its limit: Retry-After is exactly 1.
      await services.limiter.reset(tokenRateLimitKey(secret));
      rateLimit = { limit: 0, windowSeconds: 1 };
    }
    const response = await handleApiRequest(request, { services, rateLimit });
    seen.push({ method: req.method ?? "GET", path: req.url ?? "", lastEventId: req.headers["last-event-id"]?.toString() ?? null, status: response.status });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return void res.end();
    if ((response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      const socket = req.socket;
      streams.add(socket);
      socket.once("close", () => streams.delete(socket));
      res.flushHeaders();
    }
    await pipeline(Readable.fromWeb(response.body as WebReadableStream), res).catch(() => undefined);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    /** How many event streams are open now. */
    openStreams: () => streams.size,
    /** Cuts the connection of every open event stream. */
    dropStreams() {
      for (const s of streams) s.destroy();
    },
    /** The next `n` requests with a token are refused with 429 by the platform's limiter. */
    throttle(n: number) {
      throttleNext = n;
    },
    async close() {
      for (const s of streams) s.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
