import { spawn, type ChildProcess } from "node:child_process";

export const HUB_SECRETS = {
  APP_SECRET: "agent-test-app-secret-0123456789abcdef-0123",
  WORKER_REGISTRATION_TOKEN: "agent-test-registration-token-0123456789",
  TRAEFIK_PROXY_TOKEN: "agent-test-traefik-proxy-token-0123456789",
};

export interface HubProcess {
  url: string;
  port: number;
  output(): string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** The real ws-hub (`src/ws-hub/main.ts`) as its own process on a given port (so it can come back on it). */
export async function startHubProcess(databaseUrl: string, port: number): Promise<HubProcess> {
  let out = "";
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/ws-hub/main.ts"], {
    env: { ...process.env, ...HUB_SECRETS, NODE_ENV: "test", DATABASE_URL: databaseUrl, HUB_PORT: String(port), BIND_HOST: "127.0.0.1", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  // A cold tsx start on a loaded 2-core machine can take most of a minute.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hub exited early (${child.exitCode}):\n${out}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`hub did not become healthy:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      await exited;
    }
  };
  return { url, port, output: () => out, stop: () => end("SIGTERM"), kill: () => end("SIGKILL") };
}
