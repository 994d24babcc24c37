import { spawn } from "node:child_process";
import { join } from "node:path";

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const NODE = join(process.cwd(), "node_modules", ".bin", "node");
const BIN = join(process.cwd(), "src", "cli", "wh.mjs");

/**
 * Runs the real `wh` bin (package.json "bin") as a child process, as a shell or a CI job would:
 * only the environment given here (plus PATH and HOME), stdin closed unless `input` is given.
 */
export function runCli(args: string[], options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...options.env } as unknown as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"] as const,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A `wh` that keeps running (logs -f): its output so far, and Ctrl-C as a terminal sends it. */
export interface RunningCli {
  output(): { stdout: string; stderr: string };
  interrupt(): Promise<CliRun>;
  kill(): void;
}

export function startCli(args: string[], options: { env?: Record<string, string> } = {}): RunningCli {
  const child = spawn(NODE, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...options.env } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"] as const,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    output: () => ({ stdout, stderr }),
    interrupt: async () => {
      child.kill("SIGINT");
      const code = await closed;
      return { code, stdout, stderr };
    },
    kill: () => child.kill("SIGKILL"),
  };
}
