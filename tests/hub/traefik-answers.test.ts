import { request } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "../../src/server/bus/channels";
import { createBus } from "../../src/server/bus/create-bus";
import { loadConfig } from "../../src/server/config/config";
import { createServices } from "../../src/server/runtime/services";
import { startHub, type RunningHub } from "../../src/ws-hub/hub";
import { seedApp, seedUser, seedWorker, startHubFixture, type HubFixture } from "./helpers/hub-fixture";
import { TEST_SECRETS } from "./helpers/spawn-hub";

const PROXY = { authorization: `Bearer ${TEST_SECRETS.TRAEFIK_PROXY_TOKEN}` };

/** A raw GET (fetch would decompress and drop Content-Encoding), body as received. */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const proxyConfig = async (base: string) => (await (await fetch(`${base}/v1/traefik/proxy-config`, { headers: PROXY })).text());

describe("Traefik answers: compression, ETag, invalidation over the bus", () => {
  // The TTL is far longer than the test, so only the bus message can make a hub rebuild.
  const ttl = { traefikCacheTtlMs: 600_000 };
  let fx: HubFixture;
  let second: RunningHub;
  let secondUrl: string;
  let closeSecond: () => Promise<void>;
  let bus: Bus;
  let userId: number;
  beforeAll(async () => {
    fx = await startHubFixture(ttl, { PLATFORM_DOMAIN: "apps.example.com" });
    const config = loadConfig({ ...TEST_SECRETS, NODE_ENV: "test", DATABASE_URL: fx.tdb.url, LOG_LEVEL: "silent", DATA_DIR: "/tmp/wh-hub-test", PLATFORM_DOMAIN: "apps.example.com" });
    const services = createServices("ws-hub-test-2", config);
    second = await startHub(services, { port: 0, host: "127.0.0.1", ...ttl });
    await second.subscribed;
    secondUrl = `http://127.0.0.1:${second.port}`;
    closeSecond = () => second.close();
    bus = createBus({ databaseUrl: fx.tdb.url });
    userId = await seedUser(fx.tdb);
  }, 120_000);
  afterAll(async () => {
    await bus?.close();
    await closeSecond?.();
    await fx?.close();
  });

  it("gzip when asked, identity otherwise, one ETag for both, 304 for an unchanged config", async () => {
    const w = await seedWorker(fx.tdb, { wireguardIp: "10.8.0.9" });
    await seedApp(fx.tdb, userId, w.id);
    const url = `${fx.url}/v1/traefik/proxy-config`;
    const gz = await get(url, { ...PROXY, "accept-encoding": "gzip" });
    expect(gz.status).toBe(200);
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.headers.vary).toBe("accept-encoding");
    const plain = await get(url, PROXY);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    expect(JSON.parse(plain.body.toString()).http.routers).toBeTypeOf("object");
    const etag = gz.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(plain.headers.etag).toBe(etag);
    // q=0 refuses gzip.
    expect((await get(url, { ...PROXY, "accept-encoding": "gzip;q=0" })).headers["content-encoding"]).toBeUndefined();
    const unchanged = await get(url, { ...PROXY, "accept-encoding": "gzip", "if-none-match": etag });
    expect(unchanged.status).toBe(304);
    expect(unchanged.body.length).toBe(0);
    expect(unchanged.headers.etag).toBe(etag);
    expect((await get(url, { ...PROXY, "if-none-match": '"something-else"' })).status).toBe(200);
    // The token is still checked before a 304 is given.
    expect((await get(url, { "if-none-match": etag })).status).toBe(401);
  });

  it("app.changed on the bus makes every hub rebuild: the next poll shows the new route", async () => {
    const w = await seedWorker(fx.tdb, { wireguardIp: "10.8.0.10" });
    const before = [await proxyConfig(fx.url), await proxyConfig(secondUrl)];
    // A new running app without a bus message: both hubs keep answering what they cached.
    const app = await seedApp(fx.tdb, userId, w.id);
    expect(await proxyConfig(fx.url)).toBe(before[0]);
    expect(await proxyConfig(secondUrl)).toBe(before[1]);
    expect(before.join()).not.toContain(app.subdomain);
    await bus.publish("app.changed", { appId: app.id, userId, status: "running" });
    await expect.poll(() => proxyConfig(fx.url), { timeout: 15_000 }).toContain(`${app.subdomain}.apps.example.com`);
    await expect.poll(() => proxyConfig(secondUrl), { timeout: 15_000 }).toContain(`${app.subdomain}.apps.example.com`);
    // And a stop: the route goes once the change is announced.
    await fx.tdb.db.app.update({ where: { id: app.id }, data: { status: "stopped" } });
    await bus.publish("app.changed", { appId: app.id, userId, status: "stopped" });
    await expect.poll(() => proxyConfig(fx.url), { timeout: 15_000 }).not.toContain(app.subdomain);
    await expect.poll(() => proxyConfig(secondUrl), { timeout: 15_000 }).not.toContain(app.subdomain);
  });
});
