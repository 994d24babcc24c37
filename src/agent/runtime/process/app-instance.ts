import { mkdir, open, stat } from "node:fs/promises";
import path from "node:path";
import { AppProcess, type ExitInfo } from "./app-process";
import type { Release } from "./app-store";
import { LogTailer, tailFile } from "./log-tailer";
import type { RuntimeEvents } from "../app-runtime";

/** One launched process of one release, with its output followed into runtime logs. */
export class AppInstance {
  readonly startedAt = Date.now();

  private constructor(
    readonly proc: AppProcess,
    readonly release: Release,
    private readonly tailers: LogTailer[],
    /** Sizes of the log files when this process started: where its own output begins. */
    private readonly logStart: { stdout: number; stderr: number } = { stdout: 0, stderr: 0 },
  ) {}

  static logFiles(release: Release): { stdout: string; stderr: string } {
    return { stdout: path.join(release.dir, "logs", "stdout.log"), stderr: path.join(release.dir, "logs", "stderr.log") };
  }

  static async launch(appId: number, release: Release, events: RuntimeEvents): Promise<AppInstance> {
    const files = AppInstance.logFiles(release);
    await mkdir(path.dirname(files.stdout), { recursive: true, mode: 0o700 });
    const tailers = AppInstance.tailers(appId, files, events);
    // Follow from the current end so a restarted process does not resend its predecessor's lines.
    await Promise.all(tailers.map((t) => t.start(true)));
    const logStart = { stdout: await sizeOf(files.stdout), stderr: await sizeOf(files.stderr) };
    try {
      const proc = await AppProcess.launch({ argv: release.argv, cwd: release.cwd, env: release.env, stdoutFile: files.stdout, stderrFile: files.stderr });
      return new AppInstance(proc, release, tailers, logStart);
    } catch (err) {
      await Promise.all(tailers.map((t) => t.stop()));
      throw err;
    }
  }

  /** Re-attaches to a process a previous agent run started; null when it is gone. */
  static async adopt(appId: number, release: Release, identity: { pid: number; startTime: number }, events: RuntimeEvents): Promise<AppInstance | null> {
    const proc = AppProcess.adopt(identity);
    if (!proc) return null;
    const tailers = AppInstance.tailers(appId, AppInstance.logFiles(release), events);
    await Promise.all(tailers.map((t) => t.start(true)));
    return new AppInstance(proc, release, tailers);
  }

  private static tailers(appId: number, files: { stdout: string; stderr: string }, events: RuntimeEvents): LogTailer[] {
    return [
      new LogTailer(files.stdout, (line) => events.log(appId, "stdout", line)),
      new LogTailer(files.stderr, (line) => events.log(appId, "stderr", line)),
    ];
  }

  onExit(listener: (info: ExitInfo) => void): void {
    this.proc.onExit(listener);
  }

  async stop(graceMs?: number): Promise<void> {
    await this.proc.stop(graceMs);
    await this.stopFollowing();
  }

  async stopFollowing(): Promise<void> {
    await Promise.all(this.tailers.map((t) => t.stop()));
  }

  /** What this process wrote (not earlier runs of the release), the first 64 KiB of each stream. */
  async outputSinceLaunch(): Promise<{ stdout: string[]; stderr: string[] }> {
    const files = AppInstance.logFiles(this.release);
    const [stdout, stderr] = await Promise.all([readFrom(files.stdout, this.logStart.stdout), readFrom(files.stderr, this.logStart.stderr)]);
    return { stdout, stderr };
  }

  /** The last lines the process wrote, stderr last since that is where failures go. */
  async logTail(lines = 40): Promise<string> {
    const files = AppInstance.logFiles(this.release);
    const [out, err] = await Promise.all([tailFile(files.stdout, lines), tailFile(files.stderr, lines)]);
    return [...out.map((l) => `[stdout] ${l}`), ...err.map((l) => `[stderr] ${l}`)].slice(-lines).join("\n");
  }
}

async function sizeOf(file: string): Promise<number> {
  return stat(file).then((s) => s.size, () => 0);
}

async function readFrom(file: string, offset: number, maxBytes = 64 * 1024): Promise<string[]> {
  try {
    const handle = await open(file, "r");
    try {
      const buf = Buffer.alloc(maxBytes);
      const { bytesRead } = await handle.read(buf, 0, maxBytes, offset);
      return buf.subarray(0, bytesRead).toString("utf8").split(/\r?\n/);
    } finally {
      await handle.close();
    }
  } catch {
    return [];
  }
}
