import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/protocol/api-key";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { seedWorker } from "./helpers/hub-fixture";
import { TEST_SECRETS } from "./helpers/spawn-hub";

const run = promisify(execFile);

// Each call starts the script under tsx: 30-50 s apiece on a loaded 2-core machine, hence the timeouts.
describe("scripts/rotate-worker-key.ts", () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await tdb.drop();
  });

  const cli = (arg: string) =>
    run(process.execPath, ["--import", "tsx", "scripts/rotate-worker-key.ts", arg], {
      env: { ...process.env, ...TEST_SECRETS, NODE_ENV: "test", DATABASE_URL: tdb.url, LOG_LEVEL: "silent" },
    });

  it("gives the worker a new key (printed once, only its hash stored) by name or id", async () => {
    const w = await seedWorker(tdb);
    const { stdout } = await cli(w.name);
    const key = /New API key \(shown once\): (\S+)/.exec(stdout)?.[1];
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const row = await tdb.db.worker.findUniqueOrThrow({ where: { id: w.id } });
    expect(row.apiKeyHash).toBe(hashApiKey(key!));
    expect(row.apiKeyHash).not.toBe(hashApiKey(w.apiKey));
    const byId = await cli(String(w.id));
    expect(byId.stdout).toContain(`id ${w.id}`);
  }, 300_000);

  it("refuses an unknown worker and a malformed argument with a clear message", async () => {
    await expect(cli("no-such-worker")).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('No worker "no-such-worker"') });
    await expect(cli("Bad Name!")).rejects.toMatchObject({ code: 64, stderr: expect.stringContaining("usage:") });
  }, 300_000);
});
