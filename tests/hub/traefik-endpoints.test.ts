/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies from the wire; the assertions check their shape */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/protocol/api-key";
import { cipherContext } from "../../src/server/crypto/secret-cipher";
import { WorkerJwtSigner } from "../../src/server/workers/worker-jwt";
import { seedApp, seedUser, seedWorker, startHubFixture, type HubFixture } from "./helpers/hub-fixture";
import { TEST_SECRETS } from "./helpers/spawn-hub";

const schema = JSON.parse(readFileSync(join(process.cwd(), "schemas/traefik-v3-file-provider.json"), "utf8"));
const ajv = new Ajv({ strict: false, allErrors: true });
const validateTraefik = ajv.compile(schema);
const PROXY = { authorization: `Bearer ${TEST_SECRETS.TRAEFIK_PROXY_TOKEN}` };

function expectValidTraefik(config: unknown) {
  const ok = validateTraefik(config);
  expect(ok, JSON.stringify(validateTraefik.errors)).toBe(true);
  const names = Object.keys((config as any).http.routers).concat(Object.keys((config as any).http.services));
  for (const n of names) expect(n).toMatch(/^[a-z0-9-]+$/);
}

describe("Traefik endpoints", () => {
  let fx: HubFixture;
  let userId: number;
  beforeAll(async () => {
    fx = await startHubFixture({}, { PLATFORM_DOMAIN: "apps.example.com", TRAEFIK_CERT_RESOLVER: "myresolver" });
    userId = await seedUser(fx.tdb);
  });
  afterAll(async () => {
    await fx.close();
  });

  it("proxy-config: every running app on a WireGuard worker, subdomain + verified domains, valid Traefik v3", async () => {
    const wg = await seedWorker(fx.tdb, { wireguardIp: "10.8.0.7" });
    const noWg = await seedWorker(fx.tdb, { wireguardIp: null });
    const app = await seedApp(fx.tdb, userId, wg.id, { port: 30080 });
    await fx.tdb.db.domain.createMany({
      data: [
        { userId, teamId: app.teamId, appId: app.id, hostname: "shop.example.org", verificationToken: "t1", status: "verified" },
        { userId, teamId: app.teamId, appId: app.id, hostname: "pending.example.org", verificationToken: "t2", status: "pending" },
        { userId, teamId: app.teamId, appId: app.id, hostname: "evil.example.org`) || Host(`x.org", verificationToken: "t3", status: "verified" },
      ],
    });
    const stopped = await seedApp(fx.tdb, userId, wg.id, { status: "stopped" });
    const elsewhere = await seedApp(fx.tdb, userId, noWg.id);
    expect((await fetch(`${fx.url}/v1/traefik/proxy-config`)).status).toBe(401);
    expect((await fetch(`${fx.url}/v1/traefik/proxy-config`, { headers: { authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(401);
    const res = await fetch(`${fx.url}/v1/traefik/proxy-config`, { headers: PROXY });
    expect(res.status).toBe(200);
    const config = (await res.json()) as any;
    expectValidTraefik(config);
    const name = `app-${app.id}-${app.subdomain}`;
    expect(config.http.routers[name]).toEqual({
      rule: `Host(\`${app.subdomain}.apps.example.com\`) || Host(\`shop.example.org\`)`,
      service: name,
      entryPoints: ["web", "websecure"],
      tls: { certResolver: "myresolver" },
    });
    expect(config.http.services[name]).toEqual({ loadBalancer: { servers: [{ url: "http://10.8.0.7:30080" }] } });
    const text = JSON.stringify(config);
    expect(text).not.toContain(stopped.subdomain);
    expect(text).not.toContain(elsewhere.subdomain);
    expect(text).not.toContain("pending.example.org");
    expect(text).not.toContain("evil");
    expect(text).not.toContain("@");
  });

  it("worker config: only that worker's apps with verified custom domains, service http://APP_NAME:PORT", async () => {
    const w = await seedWorker(fx.tdb);
    const other = await seedWorker(fx.tdb);
    const withPortEnv = await seedApp(fx.tdb, userId, w.id);
    const plain = await seedApp(fx.tdb, userId, w.id);
    const noDomain = await seedApp(fx.tdb, userId, w.id);
    const foreign = await seedApp(fx.tdb, userId, other.id);
    await fx.tdb.db.app.update({ where: { id: plain.id }, data: { internalPort: 3000 } });
    await fx.tdb.db.appEnvVar.create({
      data: { appId: withPortEnv.id, key: "PORT", value: fx.services.cipher.encrypt("5173", cipherContext.envVar(withPortEnv.id, "PORT")) },
    });
    await fx.tdb.db.domain.createMany({
      data: [
        { userId, teamId: withPortEnv.teamId, appId: withPortEnv.id, hostname: "a.example.net", verificationToken: "a", status: "verified" },
        { userId, teamId: withPortEnv.teamId, appId: withPortEnv.id, hostname: "b.example.net", verificationToken: "b", status: "verified" },
        { userId, teamId: plain.teamId, appId: plain.id, hostname: "c.example.net", verificationToken: "c", status: "verified" },
        { userId, teamId: foreign.teamId, appId: foreign.id, hostname: "d.example.net", verificationToken: "d", status: "verified" },
      ],
    });
    const jwt = (await new WorkerJwtSigner(TEST_SECRETS.APP_SECRET).sign(w.id, hashApiKey(w.apiKey))).token;
    expect((await fetch(`${fx.url}/v1/traefik/config`)).status).toBe(401);
    expect((await fetch(`${fx.url}/v1/traefik/config`, { headers: { authorization: `Bearer ${"q".repeat(40)}` } })).status).toBe(401);
    for (const token of [jwt, w.apiKey]) {
      const res = await fetch(`${fx.url}/v1/traefik/config`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const config = (await res.json()) as any;
      expectValidTraefik(config);
      expect(Object.keys(config.http.routers)).toHaveLength(2);
      const n1 = `app-${withPortEnv.id}-${withPortEnv.name}`;
      const n2 = `app-${plain.id}-${plain.name}`;
      expect(config.http.routers[n1].rule).toBe("Host(`a.example.net`) || Host(`b.example.net`)");
      expect(config.http.services[n1].loadBalancer.servers).toEqual([{ url: `http://${withPortEnv.name}:5173` }]);
      expect(config.http.services[n2].loadBalancer.servers).toEqual([{ url: `http://${plain.name}:3000` }]);
      expect(JSON.stringify(config)).not.toContain(noDomain.name);
      expect(JSON.stringify(config)).not.toContain("d.example.net");
    }
  });

  it("answers are cached 5 s", async () => {
    // Its own hub: the shared one may hold an answer cached by an earlier test, which could expire
    // between the two requests below. Here the first request builds it, so it lives 5 s from then.
    const own = await startHubFixture({}, { PLATFORM_DOMAIN: "apps.example.com" });
    try {
      const ownUser = await seedUser(own.tdb);
      // A loaded machine may take longer than the cache lives between the two requests; such an
      // attempt proves nothing either way and is repeated once the answer has expired.
      for (let attempt = 1; ; attempt++) {
        const started = Date.now();
        const first = await (await fetch(`${own.url}/v1/traefik/proxy-config`, { headers: PROXY })).text();
        const w = await seedWorker(own.tdb);
        await seedApp(own.tdb, ownUser, w.id);
        const second = await (await fetch(`${own.url}/v1/traefik/proxy-config`, { headers: PROXY })).text();
        if (Date.now() - started < 5_000 || attempt === 3) {
          expect(Date.now() - started, "both requests within the cache's 5 s").toBeLessThan(5_000);
          expect(second).toBe(first);
          break;
        }
        await new Promise((r) => setTimeout(r, 5_100));
      }
    } finally {
      await own.close();
    }
  });

  it("an internal failure answers 5xx with an error, never an empty {} config", async () => {
    const broken = await startHubFixture();
    try {
      await broken.tdb.db.$executeRawUnsafe(`ALTER TABLE domains RENAME TO domains_gone`);
      const res = await fetch(`${broken.url}/v1/traefik/proxy-config`, { headers: PROXY });
      expect(res.status).toBeGreaterThanOrEqual(500);
      const body = (await res.json()) as any;
      expect(body.http).toBeUndefined();
      expect(body.error.code).toBe("unavailable");
      const w = await seedWorker(broken.tdb);
      const res2 = await fetch(`${broken.url}/v1/traefik/config`, { headers: { authorization: `Bearer ${w.apiKey}` } });
      expect(res2.status).toBeGreaterThanOrEqual(500);
      // Recovers when the database does: failures are not cached.
      await broken.tdb.db.$executeRawUnsafe(`ALTER TABLE domains_gone RENAME TO domains`);
      const ok = await fetch(`${broken.url}/v1/traefik/proxy-config`, { headers: PROXY });
      expect(ok.status).toBe(200);
      expectValidTraefik(await ok.json());
    } finally {
      await broken.close();
    }
  });
});
