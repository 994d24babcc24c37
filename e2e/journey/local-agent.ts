import { spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The local agent's pid, from the lock file it keeps in its state directory ($DATA_DIR/agent). */
export function agentPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, "agent", "agent.pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the agent the way an operator does (SIGTERM, as Ctrl-C's SIGINT) and waits until it exits. */
export async function stopAgent(pid: number, timeoutMs = 30_000): Promise<void> {
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`agent ${pid} did not exit within ${timeoutMs} ms of SIGTERM`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Starts the agent again as `npm run agent` would, with the same state directory (so the same
 * worker identity and API key). It outlives this test file so later specs find an online worker;
 * e2e/support/global-setup.ts stops it at teardown through the same pid file.
 */
export function startAgent(opts: { hubUrl: string; dataDir: string; registrationToken: string; logFile: string }): number {
  const hubPort = new URL(opts.hubUrl).port;
  const out = openSync(opts.logFile, "a");
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HUB_URL: `http://127.0.0.1:${hubPort}`,
    DATA_DIR: opts.dataDir,
    AGENT_NAME: "local-agent",
    WORKER_REGISTRATION_TOKEN: opts.registrationToken,
    LOG_LEVEL: "info",
    // The runtime the launcher chose for its agent (e2e/support/global-setup.ts).
    ...(JSON.parse(process.env.WH_E2E_AGENT_ENV || "{}") as Record<string, string>),
  } as unknown as NodeJS.ProcessEnv;
  const child = spawn(process.execPath, ["--import", "tsx", "src/agent/main.ts"], {
    cwd: process.cwd(),
    env,
    detached: true,
    stdio: ["ignore", out, out],
  });
  child.unref();
  return child.pid!;
}
