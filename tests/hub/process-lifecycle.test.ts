import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { spawnHub, type SpawnedHub } from "./helpers/spawn-hub";

describe("ws-hub process", () => {
  let tdb: TestDatabase;
  let hub: SpawnedHub | undefined;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await hub?.kill();
    await tdb.drop();
  });

  it("serves /health, records its process heartbeat, and exits 0 on SIGTERM removing the heartbeat", async () => {
    hub = await spawnHub(tdb.url);
    const res = await fetch(`${hub.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; time: string };
    expect(body.status).toBe("ok");
    expect(Number.isNaN(Date.parse(body.time))).toBe(false);
    await expect.poll(async () => tdb.db.processHeartbeat.count({ where: { kind: "ws-hub" } }), { timeout: 10_000 }).toBe(1);
    expect(await hub.stop()).toBe(0);
    expect(await tdb.db.processHeartbeat.count({ where: { kind: "ws-hub" } })).toBe(0);
  }, 150_000);

  it("answers 503 on /health when its database is unreachable", async () => {
    const broken = new URL(tdb.url);
    broken.pathname = "/does_not_exist_db";
    const other = await spawnHub(broken.toString(), {}, { waitForStatus: 503 });
    try {
      const res = await fetch(`${other.url}/health`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { status: string }).status).toBe("unavailable");
    } finally {
      await other.kill();
    }
  }, 150_000);
});
