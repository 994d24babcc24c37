import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { createProxyServer } from "http-proxy-3";
import type { Logger } from "pino";
import type { RouteFeed } from "./route-feed";
import { hostOf } from "./route-table";

export interface IngressOptions {
  feed: RouteFeed;
  log: Logger;
  /**
   * How long a GET whose upstream refused waits for the route table to move on (a redeploy or
   * rollback switched the app to a new port; the hub's config is cached for 5 s).
   */
  switchWaitMs?: number;
}

function reply(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Plain text: the Host header is whatever the client sent and is never rendered as HTML.
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  res.end(`${text}\n`);
}

/**
 * The development ingress: routes each request by its Host header to the app the route table
 * names, through http-proxy-3 (X-Forwarded-* added, WebSocket upgrades passed on). Hosts the table
 * does not know get a 404 that says so, so nothing but the platform's apps is served.
 */
export function createIngressServer(options: IngressOptions): Server {
  const { feed, log } = options;
  const switchWaitMs = options.switchWaitMs ?? 8_000;
  // A connect that hangs (a container being torn down while its port is still forwarded) fails
  // like a refused one after 3 s, so a GET waits for the route to move on instead of the client.
  const proxy = createProxyServer({ xfwd: true, proxyTimeout: 300_000, connectTimeout: 3_000 });

  const targetFor = async (host: string | null): Promise<string | undefined> => {
    if (!host) return undefined;
    // A host not (yet) in the table may be an app that just started: look once more.
    return feed.current.get(host) ?? (await feed.refresh()).get(host);
  };

  const forward = (req: IncomingMessage, res: ServerResponse, host: string, target: string, retried: boolean) => {
    proxy.web(req, res, { target }, (err: Error & { code?: string }) => {
      void (async () => {
        const idempotent = req.method === "GET" || req.method === "HEAD";
        if (!retried && idempotent && !res.headersSent) {
          const next = await feed.waitForChange(host, target, switchWaitMs);
          if (next && next !== target) return forward(req, res, host, next, true);
        }
        log.warn({ host, target, err: err.code ?? err.message }, "app did not answer");
        reply(res, 502, `The app at ${host} did not answer (${err.code ?? err.message}). It may be restarting or crashed: see its status and logs in the dashboard.`);
      })();
    });
  };

  const server = createServer((req, res) => {
    void (async () => {
      const host = hostOf(req.headers.host);
      const target = await targetFor(host);
      if (!host || !target) {
        const why = feed.ready ? "no running app has this address" : "the route table has not been read from the hub yet";
        reply(res, 404, `Nothing answers at ${host ?? "(no Host header)"}: ${why}. Apps answer at http://<app name>.localhost:<this port> once they run.`);
        return;
      }
      forward(req, res, host, target, false);
    })().catch((err: Error) => {
      log.error({ err: err.message }, "ingress request failed");
      reply(res, 500, "The development ingress failed on this request; see the launcher's output.");
    });
  });

  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    void targetFor(hostOf(req.headers.host)).then((target) => {
      if (!target) return socket.destroy();
      proxy.ws(req, socket, head, { target }, () => socket.destroy());
    });
  });
  server.on("close", () => proxy.close());
  return server;
}
