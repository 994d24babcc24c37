import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { isSameProcessAlive, readProc } from "./process-table";

export interface ProcessIdentity {
  pid: number;
  /** /proc start time: guards against signalling a stranger that reused the pid. */
  startTime: number;
}

export interface LaunchOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdoutFile: string;
  stderrFile: string;
}

export type ExitInfo = { code: number | null; signal: string | null };

/**
 * A running app: the leader of its own process group, writing to log files rather than pipes so
 * it keeps running (and logging) when the agent restarts, and can be adopted by the next agent.
 */
export class AppProcess {
  private exitListeners: Array<(info: ExitInfo) => void> = [];
  private exited: ExitInfo | null = null;
  private poll: NodeJS.Timeout | null = null;

  private constructor(readonly identity: ProcessIdentity) {}

  static launch(options: LaunchOptions): Promise<AppProcess> {
    const [file, ...args] = options.argv;
    if (!file) return Promise.reject(new Error("empty start command"));
    const out = openSync(options.stdoutFile, "a", 0o600);
    const err = openSync(options.stderrFile, "a", 0o600);
    return new Promise((resolve, reject) => {
      let child;
      try {
        child = spawn(file, args, { cwd: options.cwd, env: options.env as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", out, err] });
      } finally {
        closeSync(out);
        closeSync(err);
      }
      child.once("error", (error) => reject(new Error(`could not start ${file}: ${error.message}`)));
      child.once("spawn", () => {
        const pid = child.pid!;
        const info = readProc(pid);
        const proc = new AppProcess({ pid, startTime: info?.startTime ?? 0 });
        child.once("exit", (code, signal) => proc.markExited({ code, signal }));
        // The agent may exit before the app; the app must not keep the agent alive.
        child.unref();
        resolve(proc);
      });
    });
  }

  /** Takes over a process an earlier agent started; null when it is gone. */
  static adopt(identity: ProcessIdentity): AppProcess | null {
    if (!isSameProcessAlive(identity.pid, identity.startTime)) return null;
    const proc = new AppProcess(identity);
    // Not our child: no exit event, so watch /proc instead.
    proc.poll = setInterval(() => {
      if (!isSameProcessAlive(identity.pid, identity.startTime)) proc.markExited({ code: null, signal: null });
    }, 500);
    proc.poll.unref();
    return proc;
  }

  get pid(): number {
    return this.identity.pid;
  }

  get hasExited(): boolean {
    return this.exited !== null;
  }

  onExit(listener: (info: ExitInfo) => void): void {
    if (this.exited) listener(this.exited);
    else this.exitListeners.push(listener);
  }

  /** SIGTERM to the whole group, SIGKILL after the grace period; resolves once the leader is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.hasExited) {
      this.signalGroup("SIGTERM");
      const done = await this.waitForExit(graceMs);
      if (!done) this.signalGroup("SIGKILL");
      await this.waitForExit(5_000);
    }
    // Stragglers that ignored SIGTERM after the leader left.
    this.signalGroup("SIGKILL");
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.identity.pid, signal);
    } catch {
      // No process left in the group.
    }
  }

  private waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.onExit(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private markExited(info: ExitInfo): void {
    if (this.exited) return;
    this.exited = info;
    if (this.poll) clearInterval(this.poll);
    const listeners = this.exitListeners;
    this.exitListeners = [];
    for (const l of listeners) l(info);
  }
}
