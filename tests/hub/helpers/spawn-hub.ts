import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../../helpers/free-port";

export const TEST_SECRETS = {
  APP_SECRET: "test-app-secret-0123456789abcdef-0123456789",
  WORKER_REGISTRATION_TOKEN: "test-registration-token-0123456789",
  TRAEFIK_PROXY_TOKEN: "test-traefik-proxy-token-0123456789",
  METRICS_TOKEN: "test-metrics-token-0123456789",
};

export interface SpawnedHub {
  child: ChildProcess;
  port: number;
  url: string;
  output(): string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

/** Runs `src/ws-hub/main.ts` as its own process against the given database. */
export async function spawnHub(
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
  options: { waitForStatus?: number } = {},
): Promise<SpawnedHub> {
  const wanted = options.waitForStatus ?? 200;
  const port = await freePort();
  let out = "";
  const child = spawn(process.execPath, ["--import", "tsx", "src/ws-hub/main.ts"], {
    env: {
      ...process.env,
      ...TEST_SECRETS,
      NODE_ENV: "test",
      DATABASE_URL: databaseUrl,
      HUB_PORT: String(port),
      BIND_HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  // A cold tsx start on a loaded 2-core machine can take most of a minute.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hub exited early (${child.exitCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === wanted) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`hub did not become healthy:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    port,
    url,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (child.exitCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}
