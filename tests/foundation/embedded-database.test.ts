import { createServer, type Server } from "node:net";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedDatabase } from "../../src/launcher/embedded-database";
import { freePort } from "../helpers/free-port";

describe("embedded Postgres for npm start", () => {
  it("explains what to do when the postgres user cannot reach the data folder", async () => {
    if (process.getuid?.() !== 0) return;
    const locked = mkdtempSync(join(tmpdir(), "wh-locked-"));
    await expect(
      startEmbeddedDatabase({ dataDir: locked, preferredPort: await freePort(), note: () => undefined }),
    ).rejects.toThrow(/cannot enter .*wh-locked-.*DATA_DIR/);
    rmSync(locked, { recursive: true, force: true });
  });

  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("picks another port and says so when the preferred one is taken, and reuses its data on restart", async () => {
    const busyPort = await freePort();
    const squatter: Server = createServer().listen(busyPort, "127.0.0.1");
    cleanups.push(() => new Promise((r) => squatter.close(() => r())));
    const dataDir = mkdtempSync(join(tmpdir(), "wh-embedded-"));
    chmodSync(dataDir, 0o755);
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));

    const notes: string[] = [];
    const first = await startEmbeddedDatabase({ dataDir, preferredPort: busyPort, note: (l) => notes.push(l) });
    expect(first.server.port).not.toBe(busyPort);
    expect(notes.join("\n")).toMatch(new RegExp(`port ${busyPort} is already in use.*uses ${first.server.port} instead`));
    expect(notes.join("\n")).toMatch(/first start only/);

    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    await client.query("CREATE TABLE kept (v text)");
    await client.query("INSERT INTO kept VALUES ('survives restart')");
    await client.end();
    await first.server.stop();

    const notes2: string[] = [];
    const second = await startEmbeddedDatabase({ dataDir, preferredPort: await freePort(), note: (l) => notes2.push(l) });
    cleanups.push(() => second.server.stop());
    expect(notes2.join("\n")).not.toMatch(/first start only/);
    const again = new pg.Client({ connectionString: second.url });
    await again.connect();
    const { rows } = await again.query("SELECT v FROM kept");
    await again.end();
    expect(rows).toEqual([{ v: "survives restart" }]);
  });
});
