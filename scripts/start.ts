/**
 * `npm start`: the whole platform on one machine with no configuration.
 * `npm run dev`: the same with hot reload (WH_DEV_MODE=1).
 */
import { AlreadyRunningError } from "../src/launcher/instance-lock";
import { startPlatform, type RunningPlatform } from "../src/launcher/platform";
import { ConfigError } from "../src/server/config/env";

const COLORS: Record<string, string> = { launcher: "36", web: "35", "ws-hub": "34", jobs: "33", agent: "32" };
const color = process.stdout.isTTY ? (name: string, s: string) => `\x1b[${COLORS[name] ?? "37"}m${s}\x1b[0m` : (_: string, s: string) => s;
const write = (name: string, line: string) => process.stdout.write(`${color(name, `[${name}]`.padEnd(11))}${line}\n`);

let platform: RunningPlatform | undefined;
let stopping: Promise<void> | undefined;

function shutdown(code: number): void {
  stopping ??= (async () => {
    try {
      await platform?.stop();
    } finally {
      process.exit(code);
    }
  })();
}

async function main(): Promise<void> {
  // `on`, not `once`: a terminal Ctrl-C can arrive twice (directly and relayed by npm); a second
  // signal without a handler would kill the launcher before Postgres is stopped.
  process.on("SIGINT", () => shutdown(0));
  process.on("SIGTERM", () => shutdown(0));
  try {
    platform = await startPlatform({
      root: process.cwd(),
      env: process.env,
      dev: process.env.WH_DEV_MODE === "1",
      write,
      onUnexpectedExit: (name, code) => {
        if (name === "agent") {
          // A worker dying is something the platform handles (it goes offline, alerts fire), as in production.
          const hub = platform?.hubUrl ?? "http://127.0.0.1:3001";
          write("launcher", `the local agent exited (code ${code}); the platform keeps running. Start it again with:`);
          const runtime = platform?.agentRuntime ? ` --runtime ${platform.agentRuntime.kind}` : "";
          write("launcher", `  npm run agent -- --hub ${hub} --name ${process.env.AGENT_NAME ?? "local-agent"}${runtime}`);
          return;
        }
        write("launcher", `${name} exited unexpectedly (code ${code}); stopping the platform`);
        shutdown(1);
      },
    });
  } catch (err) {
    if (err instanceof AlreadyRunningError || err instanceof ConfigError) {
      write("launcher", err.message);
      process.exit(err instanceof ConfigError ? 78 : 1);
    }
    write("launcher", `could not start: ${(err as Error).message}`);
    process.exit(1);
  }
  if (stopping) return;
  write("launcher", "");
  write("launcher", "WiseHosting is running:");
  write("launcher", `  Dashboard      ${platform.webUrl}`);
  write("launcher", `  Platform status ${platform.webUrl}/status`);
  write("launcher", `  ws-hub         ${platform.hubUrl}  (workers connect here; Traefik polls ${platform.hubUrl}/v1/traefik/proxy-config)`);
  write("launcher", `  Postgres       ${platform.embeddedPostgres ? "embedded" : "external"} (${platform.databaseUrl.replace(/:[^:@/]+@/, ":***@")})`);
  write("launcher", `  Data           ${platform.dataDir}`);
  if (platform.env.DEV_INGRESS_URL) write("launcher", `  App addresses  http://<app name>.localhost:${new URL(platform.env.DEV_INGRESS_URL).port}  (development ingress)`);
  if (platform.agentRuntime) write("launcher", `  Apps run as    ${platform.agentRuntime.summary}`);
  if (platform.sampleRepoUrl) write("launcher", `  Sample app     ${platform.sampleRepoUrl}  (New app → "Use the sample app")`);
  if (platform.setupToken) {
    write("launcher", `  Setup          ${platform.webUrl}/setup  token ${platform.setupToken}`);
    write("launcher", "                 (no administrator yet: create an account, then enter this token there; it works once)");
  }
  write("launcher", "Press Ctrl-C to stop everything.");
}

void main();
