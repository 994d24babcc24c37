/** `npm run start:web`: the dashboard alone (builds it first when the sources changed). */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ensureWebBuild } from "../src/launcher/web-build";
import { loadConfigOrExit } from "../src/server/config/config";

const config = loadConfigOrExit("web");
const root = process.cwd();
const distDir = process.env.NEXT_DIST_DIR ?? ".next";
await ensureWebBuild({ root, distDir, env: process.env, write: (l) => console.log(`[web] ${l}`) });
const child = spawn(
  process.execPath,
  [join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(config.WEB_PORT), "-H", config.BIND_HOST],
  { stdio: "inherit", env: { ...process.env, NEXT_DIST_DIR: distDir } },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
