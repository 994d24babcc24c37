import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireInstanceLock, AlreadyRunningError } from "../../src/launcher/instance-lock";

describe("one launcher per data folder", () => {
  it("refuses a second holder while the first is alive, naming its pid", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "wh-lock-")), "launcher.lock");
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    try {
      writeFileSync(file, JSON.stringify({ pid: holder.pid, startedAt: "earlier" }));
      expect(() => acquireInstanceLock(file)).toThrow(AlreadyRunningError);
      expect(() => acquireInstanceLock(file)).toThrow(new RegExp(`pid ${holder.pid}`));
    } finally {
      holder.kill();
    }
  });

  it("takes over a lock left by a launcher that died", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "wh-lock-")), "launcher.lock");
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.once("exit", r));
    writeFileSync(file, JSON.stringify({ pid: dead.pid, startedAt: "earlier" }));
    const release = acquireInstanceLock(file);
    expect(existsSync(file)).toBe(true);
    release();
    expect(existsSync(file)).toBe(false);
  });
});
