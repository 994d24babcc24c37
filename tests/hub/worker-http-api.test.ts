/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies from the wire; the assertions check their shape */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/protocol/api-key";
import { WorkerJwtSigner } from "../../src/server/workers/worker-jwt";
import { startHubFixture, seedWorker, type HubFixture } from "./helpers/hub-fixture";
import { TEST_SECRETS } from "./helpers/spawn-hub";
import { TestWorker } from "./helpers/worker-client";

const REG = { authorization: `Bearer ${TEST_SECRETS.WORKER_REGISTRATION_TOKEN}`, "content-type": "application/json" };
const validBody = (over: Record<string, unknown> = {}) => ({
  name: "worker-one",
  ip: "10.0.0.5",
  api_key: "k".repeat(40),
  zone: "eu-1",
  region_name: "Frankfurt",
  cap_cpu: 4,
  cap_mem: 8192,
  wireguard_ip: "10.8.0.5",
  ...over,
});

describe("worker HTTP API", () => {
  let fx: HubFixture;
  beforeAll(async () => {
    fx = await startHubFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = REG) =>
    fetch(`${fx.url}${path}`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });

  it("registers a worker, storing only sha256(api_key), and answers {worker, token, token_expires_at}", async () => {
    const res = await post("/v1/workers/register", validBody());
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.worker).toMatchObject({ name: "worker-one", ip: "10.0.0.5", zone: "eu-1", region_name: "Frankfurt", cap_cpu: 4, cap_mem: 8192, wireguard_ip: "10.8.0.5" });
    expect(body.worker.api_key_hash).toBeUndefined();
    const expires = Date.parse(body.token_expires_at);
    expect(expires - Date.now()).toBeGreaterThan(890_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(900_000);
    const row = await fx.tdb.db.worker.findUniqueOrThrow({ where: { name: "worker-one" } });
    expect(row.apiKeyHash).toBe(hashApiKey("k".repeat(40)));
    const claims = await new WorkerJwtSigner(TEST_SECRETS.APP_SECRET).verify(body.token);
    expect(claims).toMatchObject({ workerId: row.id, keyHash: row.apiKeyHash });
  });

  it("upserts by name: registering again updates the row instead of adding one", async () => {
    const res = await post("/v1/workers/register", validBody({ ip: "10.0.0.6", cap_cpu: 6 }));
    expect(res.status).toBe(200);
    const rows = await fx.tdb.db.worker.findMany({ where: { name: "worker-one" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ip: "10.0.0.6", capCpu: 6 });
  });

  it("refuses a wrong or missing registration token with 401 and a JSON error", async () => {
    for (const headers of [{ "content-type": "application/json" }, { ...REG, authorization: "Bearer wrong-token-wrong-token" }]) {
      const res = await post("/v1/workers/register", validBody({ name: "nope" }), headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).error.code).toBe("unauthorized");
    }
    expect(await fx.tdb.db.worker.count({ where: { name: "nope" } })).toBe(0);
  });

  it.each([
    ["bad name", { name: "Bad_Name" }],
    ["long name", { name: "a".repeat(64) }],
    ["short key", { api_key: "short" }],
    ["zero cpu", { cap_cpu: 0 }],
    ["negative mem", { cap_mem: -1 }],
    ["fractional mem", { cap_mem: 1.5 }],
    ["bad ip", { ip: "not-an-ip" }],
    ["bad wireguard ip", { wireguard_ip: "300.1.1.1" }],
    ["missing ip", { ip: undefined }],
  ])("refuses an invalid body (%s) with 400 naming the field", async (_label, over) => {
    const res = await post("/v1/workers/register", validBody({ name: "invalid-one", ...over }));
    expect(res.status).toBe(400);
    const err = ((await res.json()) as any).error;
    expect(err.code).toBe("bad_request");
    expect(err.message).toMatch(/Invalid registration/);
    expect(await fx.tdb.db.worker.count({ where: { name: "invalid-one" } })).toBe(0);
  });

  it("answers 400 for non-JSON, 415 for another content type, 413 for a huge body", async () => {
    expect((await post("/v1/workers/register", "{not json")).status).toBe(400);
    const res415 = await post("/v1/workers/register", JSON.stringify(validBody()), { ...REG, "content-type": "text/plain" });
    expect(res415.status).toBe(415);
    const res413 = await post("/v1/workers/register", validBody({ zone: "z".repeat(100_000) }));
    expect(res413.status).toBe(413);
    expect(((await res413.json()) as any).error.code).toBe("payload_too_large");
  });

  it("answers 409 when the api_key already belongs to another worker", async () => {
    const res = await post("/v1/workers/register", validBody({ name: "worker-two" }));
    expect(res.status).toBe(409);
    expect(((await res.json()) as any).error.code).toBe("conflict");
  });

  it("refresh-token: the raw API key gets a fresh JWT; a wrong key or a JWT is 401", async () => {
    const ok = await post("/v1/workers/refresh-token", "", { authorization: `Bearer ${"k".repeat(40)}` });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as any;
    expect(typeof body.token).toBe("string");
    expect(Date.parse(body.token_expires_at)).toBeGreaterThan(Date.now());
    const wrong = await post("/v1/workers/refresh-token", "", { authorization: `Bearer ${"x".repeat(40)}` });
    expect(wrong.status).toBe(401);
    const viaJwt = await post("/v1/workers/refresh-token", "", { authorization: `Bearer ${body.token}` });
    expect(viaJwt.status).toBe(401);
  });

  it("/v1/stats needs the registration token and aggregates the fleet", async () => {
    expect((await fetch(`${fx.url}/v1/stats`)).status).toBe(401);
    await fx.tdb.db.worker.update({ where: { name: "worker-one" }, data: { status: "online", usedCpu: 1.5, usedMem: 1024 } });
    const res = await fetch(`${fx.url}/v1/stats`, { headers: REG });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body).toEqual({ workers: { total: 1, online: 1, offline: 0 }, cpu: { total: 6, used: 1.5 }, memory: { total: 8192, used: 1024 } });
  });

  it("/metrics needs METRICS_TOKEN when set and serves Prometheus text", async () => {
    expect((await fetch(`${fx.url}/metrics`)).status).toBe(401);
    const res = await fetch(`${fx.url}/metrics`, { headers: { authorization: `Bearer ${TEST_SECRETS.METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("wh_hub_connections");
    expect(text).toContain("wh_hub_frames_rejected_total");
    // The failed registrations and refreshes above were counted per endpoint.
    expect(text).toMatch(/wh_hub_auth_failures_total\{endpoint="\/v1\/workers\/register"\} [1-9]/);
    expect(text).toMatch(/wh_hub_auth_failures_total\{endpoint="\/v1\/workers\/refresh-token"\} [1-9]/);
  });

  it("answers 404 for unknown paths and 405 for a wrong method, as JSON", async () => {
    const nf = await fetch(`${fx.url}/v1/nothing`);
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as any).error.code).toBe("not_found");
    const na = await fetch(`${fx.url}/v1/workers/register`);
    expect(na.status).toBe(405);
  });

  it("after 30 failed authentications from one address, unknown credentials get 429 while valid ones behind that address still pass", async () => {
    const other = await startHubFixture();
    try {
      const worker = await seedWorker(other.tdb);
      // A worker that authenticated with its raw key before is known good on this hub.
      (await TestWorker.connect(other.url, worker.apiKey, worker.apiKey)).close();
      for (let i = 0; i < 30; i++) {
        const r = await fetch(`${other.url}/v1/stats`, { headers: { authorization: "Bearer wrong-wrong-wrong-wrong" } });
        expect(r.status).toBe(401);
      }
      const blocked = await fetch(`${other.url}/v1/stats`, { headers: { authorization: "Bearer another-wrong-guess" } });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
      // Every worker and Traefik behind the same proxy or NAT keeps working.
      expect((await fetch(`${other.url}/v1/stats`, { headers: REG })).status).toBe(200);
      const proxy = await fetch(`${other.url}/v1/traefik/proxy-config`, { headers: { authorization: `Bearer ${TEST_SECRETS.TRAEFIK_PROXY_TOKEN}` } });
      expect(proxy.status).toBe(200);
      const { token } = await new WorkerJwtSigner(TEST_SECRETS.APP_SECRET).sign(worker.id, hashApiKey(worker.apiKey));
      (await TestWorker.connect(other.url, token, worker.apiKey)).close();
      const refresh = await fetch(`${other.url}/v1/workers/refresh-token`, { method: "POST", headers: { authorization: `Bearer ${worker.apiKey}` } });
      expect(refresh.status).toBe(200);
      // An unknown raw key from the blocked address is refused before any database lookup.
      const stranger = await seedWorker(other.tdb, { name: "stranger" });
      await expect(TestWorker.connect(other.url, stranger.apiKey, stranger.apiKey)).rejects.toThrow(/upgrade refused: 429/);
    } finally {
      await other.close();
    }
  });
});
