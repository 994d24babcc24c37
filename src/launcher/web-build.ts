import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const INPUTS = ["src", "next.config.ts", "package-lock.json", "postcss.config.mjs", "tsconfig.json", "tsconfig.next.json", "public"];

/** A fingerprint of everything `next build` reads, so a fresh build happens only when sources changed. */
export function sourceFingerprint(root: string): string {
  const hash = createHash("sha256");
  const walk = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry === "generated" || entry.startsWith(".next")) continue;
        walk(join(path, entry));
      }
    } else hash.update(`${path}:${stat.size}:${stat.mtimeMs}\n`);
  };
  for (const input of INPUTS) walk(join(root, input));
  return hash.digest("hex");
}

/** Runs `next build` unless the dist folder already holds a build of the current sources. */
export async function ensureWebBuild(options: {
  root: string;
  distDir: string;
  env: NodeJS.ProcessEnv;
  write: (line: string) => void;
}): Promise<"fresh" | "built"> {
  const stampFile = join(options.root, options.distDir, "wh-source-fingerprint");
  const fingerprint = sourceFingerprint(options.root);
  if (existsSync(join(options.root, options.distDir, "BUILD_ID")) && existsSync(stampFile)) {
    if (readFileSync(stampFile, "utf8") === fingerprint) return "fresh";
  }
  options.write("building the dashboard (next build) — first start only, about a minute");
  const nextBin = join(options.root, "node_modules", "next", "dist", "bin", "next");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, "build"], {
      cwd: options.root,
      // next build needs NODE_ENV=production whatever mode the platform runs in (WH_ENV).
      env: { ...options.env, NODE_ENV: "production", NEXT_DIST_DIR: options.distDir, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let tail = "";
    const collect = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-6_000);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code}):\n${tail}`)),
    );
  });
  writeFileSync(stampFile, fingerprint);
  return "built";
}
