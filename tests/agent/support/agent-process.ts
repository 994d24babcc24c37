import { spawn, type ChildProcess } from "node:child_process";
import { HUB_SECRETS } from "./hub-process";

export interface AgentProcess {
  child: ChildProcess;
  /** Parsed JSON log lines so far. */
  logs(): Array<Record<string, unknown> & { msg?: string }>;
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL: the agent dies without any cleanup. */
  kill(): Promise<void>;
}

/** The real agent (`src/agent/main.ts`) as its own process, with fast report intervals for tests. */
export function startAgentProcess(options: { hubUrl: string; name: string; stateDir: string; env?: Record<string, string>; stopAppsOnExit?: boolean }): AgentProcess {
  let out = "";
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/agent/main.ts", "--hub", options.hubUrl, "--name", options.name, "--state-dir", options.stateDir, "--allow-local-repos", ...(options.stopAppsOnExit === false ? [] : ["--stop-apps-on-exit"])],
    {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/tmp",
        WORKER_REGISTRATION_TOKEN: HUB_SECRETS.WORKER_REGISTRATION_TOKEN,
        AGENT_HEARTBEAT_SECONDS: "2",
        AGENT_STATS_SECONDS: "1",
        AGENT_START_TIMEOUT_SECONDS: "5",
        AGENT_CRASH_BACKOFF_INITIAL_SECONDS: "0.5",
        AGENT_CRASH_BACKOFF_MAX_SECONDS: "4",
        AGENT_CAP_CPU: "4",
        AGENT_CAP_MEM: "8192",
        LOG_LEVEL: "info",
        ...(options.stopAppsOnExit === false ? { AGENT_STOP_APPS_ON_EXIT: "false" } : {}),
        ...options.env,
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    output: () => out,
    logs: () =>
      out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => {
          try {
            return JSON.parse(l);
          } catch {
            return {};
          }
        }),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
