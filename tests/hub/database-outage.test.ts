import pg from "pg";
import { inject } from "vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedApp, seedUser, seedWorker, startHubFixture, type HubFixture } from "./helpers/hub-fixture";
import { TestWorker } from "./helpers/worker-client";

/** Cuts every connection to the test database and refuses new ones, as if Postgres went away. */
async function setDatabaseReachable(name: string, reachable: boolean) {
  const admin = new pg.Client({ connectionString: inject("pgAdminUrl") });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${reachable ? "true" : "false"}`);
    if (!reachable) await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
  } finally {
    await admin.end();
  }
}

describe("the database going away mid-run", () => {
  let fx: HubFixture;
  beforeAll(async () => {
    fx = await startHubFixture();
  });
  afterAll(async () => {
    await setDatabaseReachable(fx.tdb.name, true);
    await fx.close();
  });

  it("frames are answered internal, /health says 503, the hub keeps running and recovers", async () => {
    const userId = await seedUser(fx.tdb);
    const w = await seedWorker(fx.tdb);
    const app = await seedApp(fx.tdb, userId, w.id);
    const t = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    t.send("runtime_log", { lines: [{ app_id: app.id, ts: Date.now(), stream: "stdout", line: "before" }] });
    await t.roundTrip();

    await setDatabaseReachable(fx.tdb.name, false);
    const hb = t.send("heartbeat", { status: "online", cpu_used: 2, mem_used: 20, running_apps: 1 });
    expect((await t.errorFor(hb, 20_000)).data.code).toBe("internal");
    const logSeq = t.send("runtime_log", { lines: [{ app_id: app.id, ts: Date.now(), stream: "stdout", line: "during" }] });
    expect((await t.errorFor(logSeq, 20_000)).data.code).toBe("internal");
    expect((await fetch(`${fx.url}/health`)).status).toBe(503);
    // A new connection is refused 503 (credentials cannot be checked) or, when the worker lookup is
    // still cached, upgraded and closed 1011 without a welcome (it cannot be recorded).
    const attempt = await TestWorker.connect(fx.url, w.apiKey, w.apiKey, { waitWelcome: false }).catch((e: Error) => e);
    if (attempt instanceof Error) expect(attempt.message).toMatch(/upgrade refused: 503/);
    else {
      expect(await attempt.waitClose(20_000)).toBe(1011);
      expect(attempt.frames.find((f) => f.type === "welcome")).toBeUndefined();
    }

    await setDatabaseReachable(fx.tdb.name, true);
    await expect.poll(async () => (await fetch(`${fx.url}/health`)).status, { timeout: 20_000 }).toBe(200);
    const t2 = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    const again = t2.send("runtime_log", { lines: [{ app_id: app.id, ts: Date.now(), stream: "stdout", line: "after" }] });
    await t2.roundTrip();
    expect(t2.errors().find((e) => e.re === again)).toBeUndefined();
    const lines = (await fx.tdb.db.runtimeLog.findMany({ where: { appId: app.id }, orderBy: { id: "asc" } })).map((r) => r.line);
    // The frame answered internal was not stored; the others were.
    expect(lines).toEqual(["before", "after"]);
    t.close();
    t2.close();
  }, 90_000);
});
