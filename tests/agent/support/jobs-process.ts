import { spawn } from "node:child_process";
import { HUB_SECRETS } from "./hub-process";

/** The real jobs process (`src/jobs-process/main.ts`): scheduling, worker health, alerts. */
export function startJobsProcess(databaseUrl: string, extraEnv: Record<string, string> = {}) {
  let out = "";
  const child = spawn(process.execPath, ["--import", "tsx", "src/jobs-process/main.ts"], {
    env: { ...process.env, ...HUB_SECRETS, NODE_ENV: "test", DATABASE_URL: databaseUrl, LOG_LEVEL: "warn", LOCAL_REPOS_ENABLED: "true", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}
