import { spawn } from "node:child_process";
import { LineSplitter } from "./line-splitter";

export interface RunCommandOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
  /** Called with the step's pid (= its process group) once it runs. */
  onSpawn?: (pid: number) => void;
  /** Aborting it kills the step's process group (a cancelled deploy, src/agent/jobs/job-runner.ts). */
  signal?: AbortSignal;
}

export interface RunCommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The signal aborted the step. */
  cancelled?: boolean;
  /** Set when the program could not be started at all (not found, not executable). */
  spawnError?: string;
}

/**
 * Runs one build step from an argv array (never a shell string) in its own process group, so a
 * timeout kills everything the step started, not just its first process.
 */
export function runCommand(options: RunCommandOptions): Promise<RunCommandResult> {
  const [file, ...args] = options.argv;
  if (!file) return Promise.resolve({ code: null, signal: null, timedOut: false, spawnError: "empty command" });
  if (options.signal?.aborted) return Promise.resolve({ code: null, signal: null, timedOut: false, cancelled: true });
  return new Promise((resolve) => {
    let timedOut = false;
    let settled = false;
    const child = spawn(file, args, { cwd: options.cwd, env: options.env as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const out = new LineSplitter((line) => options.onLine?.("stdout", line));
    const err = new LineSplitter((line) => options.onLine?.("stderr", line));
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      killGroup();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.once("spawn", () => {
      if (child.pid) options.onSpawn?.(child.pid);
    });
    child.once("error", (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve({ code: null, signal: null, timedOut: false, spawnError: error.message });
    });
    child.once("close", (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      out.flush();
      err.flush();
      // Leftover background processes of a finished step would hold the build directory.
      killGroup();
      options.signal?.removeEventListener("abort", onAbort);
      resolve({ code, signal, timedOut, ...(cancelled ? { cancelled } : {}) });
    });
  });
}
