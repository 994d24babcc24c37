import { connect } from "node:net";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/protocol/api-key";
import { deriveKey, KEY_PURPOSES } from "../../src/server/crypto/hkdf";
import { rotateWorkerKey } from "../../src/server/workers/rotate-worker-key";
import { WorkerJwtSigner } from "../../src/server/workers/worker-jwt";
import { startHubFixture, seedWorker, type HubFixture } from "./helpers/hub-fixture";
import { TEST_SECRETS } from "./helpers/spawn-hub";
import { TestWorker } from "./helpers/worker-client";

const signer = new WorkerJwtSigner(TEST_SECRETS.APP_SECRET);
const jwtKey = new Uint8Array(deriveKey(TEST_SECRETS.APP_SECRET, KEY_PURPOSES.workerJwt));
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

/** Sends raw HTTP and returns the status line's code (or "closed"). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let got = "";
    socket.on("data", (d) => (got += d.toString()));
    socket.on("error", () => resolve(got ? got.split(" ")[1]! : "closed"));
    socket.on("close", () => resolve(got ? got.split(" ")[1]! : "closed"));
    socket.write(text);
  });
}

describe("WebSocket upgrade authentication", () => {
  let fx: HubFixture;
  beforeAll(async () => {
    fx = await startHubFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  it("accepts a valid JWT and the raw API key; the first frame is a signed welcome", async () => {
    const w = await seedWorker(fx.tdb);
    const { token } = await signer.sign(w.id, hashApiKey(w.apiKey));
    const viaJwt = await TestWorker.connect(fx.url, token, w.apiKey);
    expect(viaJwt.frames[0]).toMatchObject({ type: "welcome", seq: 1, re: 0, data: { worker_id: w.id } });
    expect(Math.abs(viaJwt.frames[0]!.data.server_time - Date.now())).toBeLessThan(5_000);
    expect(viaJwt.badHubFrames).toBe(0);
    viaJwt.close();
    const viaKey = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    expect(viaKey.frames[0]!.type).toBe("welcome");
    await expect.poll(async () => (await fx.tdb.db.worker.findUniqueOrThrow({ where: { id: w.id } })).status, { timeout: 10_000 }).toBe("online");
    viaKey.close();
  });

  it("refuses before the upgrade (401): alg none, another algorithm, expired, deleted worker, wrong raw key, no token", async () => {
    const w = await seedWorker(fx.tdb);
    const hash = hashApiKey(w.apiKey);
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: String(w.id), kh: hash, iat: now, exp: now + 900, jti: "x" };
    const algNone = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
    const hs512 = await new SignJWT({ kh: hash }).setProtectedHeader({ alg: "HS512" }).setSubject(String(w.id)).setIssuedAt().setExpirationTime(now + 900).sign(jwtKey);
    const expired = (await signer.sign(w.id, hash, Date.now() - 901_000)).token;
    const tampered = (await signer.sign(w.id, hash)).token.slice(0, -2) + "AA";
    const gone = await seedWorker(fx.tdb);
    const goneToken = (await signer.sign(gone.id, hashApiKey(gone.apiKey))).token;
    await fx.tdb.db.worker.delete({ where: { id: gone.id } });
    for (const token of [algNone, hs512, expired, tampered, goneToken, "z".repeat(64), ""]) {
      await expect(TestWorker.connect(fx.url, token, w.apiKey)).rejects.toThrow(/upgrade refused: 401/);
    }
  });

  it("rotating the key voids its JWTs, refuses the old raw key, and closes the live socket with 4001", async () => {
    const w = await seedWorker(fx.tdb);
    const { token } = await signer.sign(w.id, hashApiKey(w.apiKey));
    const live = await TestWorker.connect(fx.url, token, w.apiKey);
    const rotated = await rotateWorkerKey(fx.services, w.id);
    expect(await live.waitClose()).toBe(4001);
    await expect(TestWorker.connect(fx.url, token, w.apiKey)).rejects.toThrow(/401/);
    await expect(TestWorker.connect(fx.url, w.apiKey, w.apiKey)).rejects.toThrow(/401/);
    const fresh = await TestWorker.connect(fx.url, rotated.apiKey, rotated.apiKey);
    expect(fresh.frames[0]!.type).toBe("welcome");
    fresh.close();
  });

  it("a new connection of the same worker replaces the old one (4000 replaced)", async () => {
    const w = await seedWorker(fx.tdb);
    const first = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    const second = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    expect(await first.waitClose()).toBe(4000);
    expect(first.closeReason).toBe("replaced");
    second.send("heartbeat", { status: "online", cpu_used: 0.5, mem_used: 100, running_apps: 0 });
    await second.roundTrip();
    expect(second.errors().filter((e) => e.data.code !== "unknown_type")).toHaveLength(0);
    second.close();
  });

  it("survives 2,000+ upgrade headers and a huge Sec-WebSocket-Protocol header (431/400, process stays up)", async () => {
    const many = Array.from({ length: 2_500 }, (_, i) => `X-H${i}: v`).join("\r\n");
    const flood = await rawRequest(fx.hub.port, `GET /v1/workers/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${many}\r\n\r\n`);
    expect(["431", "400", "closed"]).toContain(flood);
    const huge = await rawRequest(
      fx.hub.port,
      `GET /v1/workers/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${"p,".repeat(200_000)}\r\n\r\n`,
    );
    expect(["431", "400", "closed"]).toContain(huge);
    const health = await fetch(`${fx.url}/health`);
    expect(health.status).toBe(200);
  });

  it("refuses an upgrade on another path with 404", async () => {
    const status = await rawRequest(
      fx.hub.port,
      `GET /v1/other HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    expect(status).toBe("404");
  });
});
