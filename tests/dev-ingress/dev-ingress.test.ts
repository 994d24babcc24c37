import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIngressServer } from "../../src/dev-ingress/ingress-server";
import { RouteFeed } from "../../src/dev-ingress/route-feed";
import { hostOf, hostsOfRule, routeTableFrom } from "../../src/dev-ingress/route-table";
import { TEST_SECRETS } from "../hub/helpers/spawn-hub";
import { seedApp, seedUser, seedWorker, startHubFixture, type HubFixture } from "../hub/helpers/hub-fixture";

/** A stand-in for a deployed app: a real HTTP server answering with its own body. */
function appServer(body: string): Promise<Server & { port: number }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain", "x-seen-host": req.headers.host ?? "", "x-forwarded-for-seen": String(req.headers["x-forwarded-for"] ?? "") });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(Object.assign(server, { port: (server.address() as AddressInfo).port }))));
}

/** GET through the ingress with a Host header, as a browser opening http://<host>:<port>/ does. */
function get(port: number, host: string, path = "/"): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
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

describe("the development ingress", () => {
  let fx: HubFixture;
  let ingress: Server;
  let port: number;
  let feed: RouteFeed;
  const apps: Server[] = [];
  beforeAll(async () => {
    fx = await startHubFixture({}, { PLATFORM_DOMAIN: "apps.test.example" });
    const log = pino({ level: "silent" });
    feed = new RouteFeed({ hubUrl: fx.url, token: TEST_SECRETS.TRAEFIK_PROXY_TOKEN, platformDomain: "apps.test.example", intervalMs: 200, log });
    feed.start();
    ingress = createIngressServer({ feed, log, switchWaitMs: 15_000 });
    await new Promise<void>((r) => ingress.listen(0, "127.0.0.1", () => r()));
    port = (ingress.address() as AddressInfo).port;
  }, 60_000);
  afterAll(async () => {
    feed.stop();
    ingress.closeAllConnections();
    await new Promise((r) => ingress.close(r));
    for (const a of apps) a.close();
    await fx.close();
  });

  it("serves a running app at <slug>.localhost and its verified domains, from the hub's proxy-config", async () => {
    const v1 = await appServer("hello from v1");
    apps.push(v1);
    const worker = await seedWorker(fx.tdb, { wireguardIp: "127.0.0.1" });
    const userId = await seedUser(fx.tdb);
    const app = await seedApp(fx.tdb, userId, worker.id, { name: "ingress-shop", port: v1.port });
    await fx.tdb.db.domain.create({ data: { userId, teamId: app.teamId, appId: app.id, hostname: "shop.example.org", verificationToken: "t", status: "verified" } });

    await expect.poll(async () => (await get(port, "ingress-shop.localhost")).body, { timeout: 30_000, interval: 200 }).toBe("hello from v1");
    const viaPlatformHost = await get(port, "ingress-shop.apps.test.example");
    expect(viaPlatformHost.body).toBe("hello from v1");
    const viaDomain = await get(port, "shop.example.org");
    expect(viaDomain.body).toBe("hello from v1");
    // The app sees the Host it was asked for and who asked (X-Forwarded-For from http-proxy-3's xfwd).
    expect(viaDomain.headers["x-seen-host"]).toBe(`shop.example.org:${port}`);
    expect(viaDomain.headers["x-forwarded-for-seen"]).toMatch(/127\.0\.0\.1/);
  }, 60_000);

  it("keeps the address when a redeploy moves the app to a new port, even a request in the switch", async () => {
    const worker = await seedWorker(fx.tdb, { wireguardIp: "127.0.0.1" });
    const userId = await seedUser(fx.tdb);
    const old = await appServer("old release");
    apps.push(old);
    const app = await seedApp(fx.tdb, userId, worker.id, { name: "ingress-move", port: old.port });
    await expect.poll(async () => (await get(port, "ingress-move.localhost")).body, { timeout: 30_000, interval: 200 }).toBe("old release");

    // What a deploy does: the new release answers on a new port, the job result records it, the old one stops.
    const next = await appServer("new release");
    apps.push(next);
    await fx.tdb.db.app.update({ where: { id: app.id }, data: { port: next.port } });
    old.closeAllConnections();
    await new Promise((r) => old.close(r));
    // The very next request may still find the old port in the (cached) table: it waits for the switch instead of failing.
    const during = await get(port, "ingress-move.localhost");
    expect(during).toMatchObject({ status: 200, body: "new release" });
  }, 60_000);

  it("answers 404 for a host no running app has, and 502 naming the cause when the app is down", async () => {
    const unknown = await get(port, "nobody-here.localhost");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatch(/no running app has this address/);

    const worker = await seedWorker(fx.tdb, { wireguardIp: "127.0.0.1" });
    const userId = await seedUser(fx.tdb);
    const gone = await appServer("soon gone");
    const goneport = gone.port;
    await new Promise((r) => gone.close(r));
    await seedApp(fx.tdb, userId, worker.id, { name: "ingress-down", port: goneport });
    await expect.poll(async () => feed.current.has("ingress-down.localhost"), { timeout: 30_000, interval: 200 }).toBe(true);
    const down = await get(port, "ingress-down.localhost");
    expect(down.status).toBe(502);
    expect(down.body).toMatch(/did not answer \(ECONNREFUSED\)/);
  }, 60_000);

  it("reads only the rules the hub renders", () => {
    expect(hostsOfRule("Host(`a.example.org`) || Host(`b.example.org`)")).toEqual(["a.example.org", "b.example.org"]);
    expect(hostsOfRule("HostRegexp(`.*`)")).toBeNull();
    expect(hostsOfRule("Host(`a.example.org`) && PathPrefix(`/x`)")).toBeNull();
    const table = routeTableFrom(
      {
        http: {
          routers: { r: { rule: "Host(`demo.apps.test.example`) || Host(`demo.org`)", service: "s" }, bad: { rule: "PathPrefix(`/`)", service: "s" } },
          services: { s: { loadBalancer: { servers: [{ url: "http://127.0.0.1:4000" }] } } },
        },
      },
      "apps.test.example",
    );
    expect([...table.entries()].sort()).toEqual([
      ["demo.apps.test.example", "http://127.0.0.1:4000"],
      ["demo.localhost", "http://127.0.0.1:4000"],
      ["demo.org", "http://127.0.0.1:4000"],
    ]);
    expect(() => routeTableFrom({}, "apps.test.example")).toThrow();
    expect(hostOf("Demo.Localhost:3080")).toBe("demo.localhost");
    expect(hostOf("[::1]:3080")).toBe("[::1]");
    expect(hostOf(undefined)).toBeNull();
  });
});
