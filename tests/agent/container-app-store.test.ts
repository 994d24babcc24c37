import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ContainerAppStore, type ContainerAppRecord } from "../../src/agent/runtime/container/container-app-store";

const dir = mkdtempSync(path.join(tmpdir(), "wh-app-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record = (appId: number, containerId: string, seen: number): ContainerAppRecord => ({
  appId,
  desired: "running",
  deploymentId: 1,
  image: "localhost/wisehosting/app-1:1",
  containerId,
  holderId: null,
  port: 20_000,
  internalPort: 8080,
  env: { SECRET: "s" },
  limits: { cpu: 1, memoryMb: 256, pids: 128, diskMb: 512, bandwidthMbit: 0 },
  readOnlyRootfs: true,
  commitSha: "abc",
  commitMessage: "",
  violation: null,
  logCursor: { time: "2026-12-03T13:00:00Z", seen },
});

describe("the container runtime's per-app records (src/agent/runtime/container/container-app-store.ts)", () => {
  it("takes many saves of one app at once, in order: none fails and the last one asked for is on disk", async () => {
    const store = new ContainerAppStore(dir);
    // The log cursor's saves of the serving container and, last, a deploy's save of the new one.
    const saves = Array.from({ length: 40 }, (_, i) => store.save(record(7, "old", i)));
    saves.push(store.save(record(7, "new", 0)));
    await Promise.all(saves);
    expect(await store.loadAll()).toEqual([record(7, "new", 0)]);
    expect(statSync(path.join(store.dir, "7.json")).mode & 0o777).toBe(0o600);
    expect(readdirSync(store.dir)).toEqual(["7.json"]);
  });

  it("saves the record as it was at the call, and a removal after a save leaves nothing", async () => {
    const store = new ContainerAppStore(dir);
    const rec = record(8, "c", 1);
    const saved = store.save(rec);
    rec.logCursor = { time: "2026-12-03T13:00:05Z", seen: 9 };
    await saved;
    expect((await store.loadAll()).find((r) => r.appId === 8)?.logCursor).toEqual({ time: "2026-12-03T13:00:00Z", seen: 1 });

    void store.save(record(8, "c", 2));
    await store.remove(8);
    expect((await store.loadAll()).find((r) => r.appId === 8)).toBeUndefined();
  });
});
