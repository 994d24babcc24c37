import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LogTailer } from "../../src/agent/runtime/process/log-tailer";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function logFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "wh-tailer-"));
  dirs.push(dir);
  const file = join(dir, "stdout.log");
  writeFileSync(file, content);
  return file;
}

describe("LogTailer", () => {
  it("stop() reads what the app wrote while a poll was reading (that poll sized the file before the write)", async () => {
    // Over one read chunk (256 KiB), so the poll is still reading when its first line arrives.
    const earlier = Array.from({ length: 20_000 }, (_, i) => `earlier line ${i}`).join("\n") + "\n";
    const file = logFile(earlier);
    const lines: string[] = [];
    let stopped: Promise<void> | null = null;
    const tailer = new LogTailer(file, (line) => {
      lines.push(line);
      if (stopped) return;
      // The app's last write and a Ctrl-C, both while this poll is mid-file.
      appendFileSync(file, "last line 1\nlast line 2\n");
      stopped = tailer.stop();
    }, 1);
    await tailer.start(false);
    await expect.poll(() => stopped !== null).toBe(true);
    await stopped;
    expect(lines.filter((l) => l.startsWith("earlier line"))).toHaveLength(20_000);
    expect(lines.slice(-2)).toEqual(["last line 1", "last line 2"]);
  });

  it("reads each line once across polls and the final read", async () => {
    const file = logFile("");
    const lines: string[] = [];
    const tailer = new LogTailer(file, (line) => lines.push(line), 5);
    await tailer.start(false);
    for (let i = 0; i < 50; i++) appendFileSync(file, `line ${i}\n`);
    await expect.poll(() => lines.length).toBeGreaterThan(0);
    appendFileSync(file, "tail without newline");
    await tailer.stop();
    expect(lines).toEqual([...Array.from({ length: 50 }, (_, i) => `line ${i}`), "tail without newline"]);
  });
});
