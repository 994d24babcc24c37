import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { HttpError, sendError } from "./respond";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
export interface Route {
  method: "GET" | "POST";
  path: string;
  handler: RouteHandler;
}

/**
 * Header limits keep floods cheap: Node answers 431 before our code runs when the header block
 * exceeds `maxHeaderSize`, and ignores headers past `maxHeadersCount`.
 */
export const MAX_HEADER_BYTES = 16 * 1024;
export const MAX_HEADERS_COUNT = 100;

export function createHubHttpServer(routes: Route[], log: Logger): Server {
  const table = new Map<string, Route>();
  for (const route of routes) table.set(`${route.method} ${route.path}`, route);
  const paths = new Set(routes.map((r) => r.path));

  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const route = table.get(`${req.method} ${path}`);
    const run = async () => {
      if (!route) {
        if (paths.has(path)) throw new HttpError("method_not_allowed", `${req.method} is not supported on ${path}.`);
        throw new HttpError("not_found", `No endpoint at ${path}. See docs/worker-protocol.md for the API.`);
      }
      await route.handler(req, res);
    };
    run().catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        sendError(res, err);
        // A body we refused may still be streaming in; do not keep reading it.
        if (err.code === "payload_too_large") req.destroy();
        return;
      }
      log.error({ err: (err as Error).message, path }, "request failed");
      sendError(res, new HttpError("internal", "The hub could not complete the request; retry shortly."));
    });
  });
  server.maxHeadersCount = MAX_HEADERS_COUNT;
  server.headersTimeout = 10_000;
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  return server;
}
