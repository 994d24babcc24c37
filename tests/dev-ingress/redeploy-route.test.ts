import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIngressServer } from "../../src/dev-ingress/ingress-server";
import { RouteFeed } from "../../src/dev-ingress/route-feed";
import { TEST_SECRETS } from "../hub/helpers/spawn-hub";
import { seedApp, seedUser, seedWorker, startHubFixture, type HubFixture } from "../hub/helpers/hub-fixture";

function appServer(body: string): Promise<Server & { port: number }> {
  const server = createServer((_req, res) => res.end(body));
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(Object.assign(server, { port: (server.address() as AddressInfo).port }))));
}

function get(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/", headers: { host: `${host}:${port}` }, timeout: 20_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * Issue 16 item 1: an app's address answers while it is redeployed or rolled back (the previous
 * version serves until the switch), and never routes to a port nothing of the app's serves on
 * (src/server/traefik/proxy-traefik-config.ts, STILL_SERVING). Real hub, real ingress.
 */
describe("the route table while an app is being deployed", () => {
  let fx: HubFixture;
  let ingress: Server;
  let port: number;
  let feed: RouteFeed;
  const servers: Server[] = [];
  beforeAll(async () => {
    fx = await startHubFixture({}, { PLATFORM_DOMAIN: "apps.test.example" });
    const log = pino({ level: "silent" });
    feed = new RouteFeed({ hubUrl: fx.url, token: TEST_SECRETS.TRAEFIK_PROXY_TOKEN, platformDomain: "apps.test.example", intervalMs: 200, log });
    feed.start();
    ingress = createIngressServer({ feed, log, switchWaitMs: 2_000 });
    await new Promise<void>((r) => ingress.listen(0, "127.0.0.1", () => r()));
    port = (ingress.address() as AddressInfo).port;
  }, 60_000);
  afterAll(async () => {
    feed.stop();
    ingress.closeAllConnections();
    await new Promise((r) => ingress.close(r));
    for (const s of servers) s.close();
    await fx.close();
  });

  /** Waits until the hub has rebuilt its config after now: a new running app shows in the table. */
  async function rebuilt(workerId: number, userId: number) {
    const marker = await seedApp(fx.tdb, userId, workerId, { name: `mark-${Date.now().toString(36)}`, port: 1 });
    await expect.poll(() => feed.current.has(`${marker.name}.localhost`), { timeout: 30_000, interval: 200 }).toBe(true);
  }

  it("a running app that is redeployed keeps its address; a failed new version leaves the old one routed", async () => {
    const worker = await seedWorker(fx.tdb, { wireguardIp: "127.0.0.1" });
    const userId = await seedUser(fx.tdb);
    const v1 = await appServer("v1 serving");
    servers.push(v1);
    const app = await seedApp(fx.tdb, userId, worker.id, { name: "redeploy-keeps", port: v1.port });
    await expect.poll(async () => (await get(port, "redeploy-keeps.localhost")).body, { timeout: 30_000, interval: 200 }).toBe("v1 serving");

    await fx.tdb.db.app.update({ where: { id: app.id }, data: { status: "deploying" } });
    await rebuilt(worker.id, userId);
    expect(await get(port, "redeploy-keeps.localhost")).toEqual({ status: 200, body: "v1 serving" });

    await fx.tdb.db.app.update({ where: { id: app.id }, data: { status: "failed", statusReason: "the app did not answer; the previous version keeps serving" } });
    await rebuilt(worker.id, userId);
    expect(await get(port, "redeploy-keeps.localhost")).toEqual({ status: 200, body: "v1 serving" });

    // The old version crashed too: nothing of the app serves, so the address says so.
    await fx.tdb.db.app.update({ where: { id: app.id }, data: { status: "crashed" } });
    await rebuilt(worker.id, userId);
    expect((await get(port, "redeploy-keeps.localhost")).status).toBe(404);
  }, 90_000);

  it("an app deployed from stopped is not routed to its old port, which another app may hold now", async () => {
    const worker = await seedWorker(fx.tdb, { wireguardIp: "127.0.0.1" });
    const userId = await seedUser(fx.tdb);
    const other = await appServer("ANOTHER app's page");
    servers.push(other);
    // The stopped app's recorded port is where another app answers now.
    await seedApp(fx.tdb, userId, worker.id, { name: "stopped-then-deployed", port: other.port, status: "stopped" });
    await fx.tdb.db.app.updateMany({ where: { name: "stopped-then-deployed" }, data: { status: "deploying" } });
    await rebuilt(worker.id, userId);
    const res = await get(port, "stopped-then-deployed.localhost");
    expect(res.body).not.toBe("ANOTHER app's page");
    expect(res.status).toBe(404);
  }, 90_000);
});
