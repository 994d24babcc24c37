/** `npm run start:web`: the dashboard alone (builds it first when the sources changed). */
import { spawn } from "node:child_process";
import { ensureWebBuild } from "../src/launcher/web-build";
import { loadConfigOrExit } from "../src/server/config/config";

loadConfigOrExit("web");
const distDir = process.env.NEXT_DIST_DIR ?? ".next";
await ensureWebBuild({ root: process.cwd(), distDir, env: process.env, write: (l) => console.log(`[web] ${l}`) });
const child = spawn(process.execPath, ["--import", "tsx", "src/web/server.ts"], {
  stdio: "inherit",
  env: { ...process.env, NEXT_DIST_DIR: distDir, NODE_ENV: "production", WH_ENV: process.env.WH_ENV || process.env.NODE_ENV || "development" },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
