import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { createIngressServer } from "../../../src/dev-ingress/ingress-server";
import { RouteFeed } from "../../../src/dev-ingress/route-feed";
import { TEST_SECRETS } from "../../hub/helpers/spawn-hub";
import { startHubFixture, type HubFixture } from "../../hub/helpers/hub-fixture";

export const PLATFORM_DOMAIN = "apps.test.example";

/** A stand-in for a deployed app: a real HTTP server answering with its own body. */
export function appServer(body: string): Promise<Server & { port: number }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain", "x-seen-host": req.headers.host ?? "", "x-forwarded-for-seen": String(req.headers["x-forwarded-for"] ?? "") });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(Object.assign(server, { port: (server.address() as AddressInfo).port }))));
}

/** GET through the ingress with a Host header, as a browser opening http://<host>:<port>/ does. */
export function get(port: number, host: string, path = "/"): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host: `${host}:${port}` }, timeout: 20_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

export interface IngressFixture {
  /** The real hub whose proxy-config the ingress reads (src/dev-ingress/route-feed.ts). */
  fx: HubFixture;
  feed: RouteFeed;
  /** The ingress's port. */
  port: number;
  /** An app server closed with the fixture. */
  app(body: string): Promise<Server & { port: number }>;
  close(): Promise<void>;
}

/** A real hub and the development ingress in front of it, polling its route table every 200 ms. */
export async function startIngressFixture(options: { switchWaitMs: number }): Promise<IngressFixture> {
  const fx = await startHubFixture({}, { PLATFORM_DOMAIN });
  const log = pino({ level: "silent" });
  const feed = new RouteFeed({ hubUrl: fx.url, token: TEST_SECRETS.TRAEFIK_PROXY_TOKEN, platformDomain: PLATFORM_DOMAIN, intervalMs: 200, log });
  feed.start();
  const ingress = createIngressServer({ feed, log, switchWaitMs: options.switchWaitMs });
  await new Promise<void>((r) => ingress.listen(0, "127.0.0.1", () => r()));
  const servers: Server[] = [];
  return {
    fx,
    feed,
    port: (ingress.address() as AddressInfo).port,
    async app(body) {
      const server = await appServer(body);
      servers.push(server);
      return server;
    },
    async close() {
      feed.stop();
      ingress.closeAllConnections();
      await new Promise((r) => ingress.close(r));
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
      await fx.close();
    },
  };
}
