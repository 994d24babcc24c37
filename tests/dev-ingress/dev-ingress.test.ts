import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostOf, hostsOfRule, routeTableFrom } from "../../src/dev-ingress/route-table";
import { seedApp, seedUser, seedWorker } from "../hub/helpers/hub-fixture";
import { appServer, get, startIngressFixture, type IngressFixture } from "./support/ingress-fixture";

describe("the development ingress", () => {
  let ing: IngressFixture;
  let fx: IngressFixture["fx"];
  let port: number;
  beforeAll(async () => {
    ing = await startIngressFixture({ switchWaitMs: 15_000 });
    ({ fx, port } = ing);
  }, 60_000);
  afterAll(() => ing.close());

  it("serves a running app at <slug>.localhost and its verified domains, from the hub's proxy-config", async () => {
    const v1 = await ing.app("hello from v1");
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
    const old = await ing.app("old release");
    const app = await seedApp(fx.tdb, userId, worker.id, { name: "ingress-move", port: old.port });
    await expect.poll(async () => (await get(port, "ingress-move.localhost")).body, { timeout: 30_000, interval: 200 }).toBe("old release");

    // What a deploy does: the new release answers on a new port, the job result records it, the old one stops.
    const next = await ing.app("new release");
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
    await expect.poll(async () => ing.feed.current.has("ingress-down.localhost"), { timeout: 30_000, interval: 200 }).toBe(true);
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
