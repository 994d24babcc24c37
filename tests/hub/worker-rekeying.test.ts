/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies from the wire; the assertions check their shape */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/protocol/api-key";
import { startHubFixture, type HubFixture } from "./helpers/hub-fixture";
import { TEST_SECRETS } from "./helpers/spawn-hub";
import { TestWorker } from "./helpers/worker-client";

const REG = { authorization: `Bearer ${TEST_SECRETS.WORKER_REGISTRATION_TOKEN}`, "content-type": "application/json" };
const body = (name: string, apiKey: string, over: Record<string, unknown> = {}) => ({ name, ip: "127.0.0.1", api_key: apiKey, cap_cpu: 2, cap_mem: 2048, ...over });

const run = promisify(execFile);
// A fresh connection per request: a pooled one the hub closed while the test waited for the
// rotation script would be reset on reuse.
const noReuse = new Agent({ keepAliveTimeout: 1, keepAliveMaxTimeout: 1 });

describe("re-keying a registered worker", () => {
  let fx: HubFixture;
  beforeAll(async () => {
    fx = await startHubFixture();
  });
  afterAll(async () => {
    await fx.close();
    await noReuse.close();
  });
  const register = (b: object) =>
    fetch(`${fx.url}/v1/workers/register`, { method: "POST", headers: REG, body: JSON.stringify(b), dispatcher: noReuse });

  it("an existing name cannot be given a new key with the registration token alone", async () => {
    const keyA = "a".repeat(64);
    expect((await register(body("victim", keyA))).status).toBe(200);
    const live = await TestWorker.connect(fx.url, keyA, keyA);
    const takeover = await register(body("victim", "b".repeat(64)));
    expect(takeover.status).toBe(409);
    expect(((await takeover.json()) as any).error.message).toMatch(/already registered with another API key.*current_api_key.*rotate-worker-key/s);
    const row = await fx.tdb.db.worker.findUniqueOrThrow({ where: { name: "victim" } });
    expect(row.apiKeyHash).toBe(hashApiKey(keyA));
    // The live worker keeps its socket.
    await live.roundTrip();
    live.close();
  });

  it("the worker itself re-keys by proving its current key", async () => {
    const keyA = "c".repeat(64);
    const keyB = "d".repeat(64);
    expect((await register(body("self-rekey", keyA))).status).toBe(200);
    expect((await register(body("self-rekey", keyB, { current_api_key: "e".repeat(64) }))).status).toBe(409);
    expect((await register(body("self-rekey", keyB, { current_api_key: keyA }))).status).toBe(200);
    const row = await fx.tdb.db.worker.findUniqueOrThrow({ where: { name: "self-rekey" } });
    expect(row.apiKeyHash).toBe(hashApiKey(keyB));
  });

  it("a rotation sticks: registering again with the old key is refused and the new key works", async () => {
    const oldKey = "f".repeat(64);
    expect((await register(body("rotated", oldKey))).status).toBe(200);
    const rotate = await run(process.execPath, ["--import", "tsx", "scripts/rotate-worker-key.ts", "rotated"], {
      env: { ...process.env, ...TEST_SECRETS, NODE_ENV: "test", DATABASE_URL: fx.tdb.url, LOG_LEVEL: "silent" },
    });
    const newKey = /New API key \(shown once\): (\S+)/.exec(rotate.stdout)?.[1];
    expect(newKey, rotate.stderr).toBeTruthy();
    expect((await register(body("rotated", oldKey))).status).toBe(409);
    const row = await fx.tdb.db.worker.findUniqueOrThrow({ where: { name: "rotated" } });
    expect(row.apiKeyHash).toBe(hashApiKey(newKey!));
    await expect(TestWorker.connect(fx.url, oldKey, oldKey)).rejects.toThrow(/upgrade refused: 401/);
    expect((await register(body("rotated", newKey!))).status).toBe(200);
  });
});
