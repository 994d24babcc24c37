import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { resolveRegistrySettings } from "../../../src/agent/config/registry-settings";
import { buildTrust, writeBuildTrustFiles } from "../../../src/agent/runtime/build-trust";

/**
 * Real app shapes, made by the real tools (create-next-app, create-vite, npm, pnpm through
 * corepack) from published packages: nothing but the npm registry is reached. Each fixture is
 * generated once into a git-ignored cache (node_modules/.cache/, so a fresh clone makes them)
 * holding sources and lockfile only; a test copies it into a fresh git repository.
 */
export const CORPUS_CACHE = path.resolve("node_modules", ".cache", "wisehosting-app-corpus");
/** Caches a corpus agent can share across runs (npm's, corepack's), so reruns do not download again. */
export const CORPUS_DOWNLOAD_CACHE = path.join(CORPUS_CACHE, "downloads");

/** Bump when a generator changes: the cached fixture is made again. */
const GENERATION = "1";
export const NEXT_VERSION = "16.4.3";
const CREATE_VITE_VERSION = "9.3.0";
export const PNPM_VERSION = "9.15.0";

export interface Fixture {
  name: string;
  /** The generated sources (no node_modules). */
  dir: string;
}

/**
 * The environment generator commands run in: the same registry and trust settings a build gets
 * (so this machine's TLS-intercepting setup works here as it does in builds), Node 24 first on
 * PATH. Corepack's signature check is skipped because the registry reachable from these machines
 * serves metadata without npm's signatures (docs/worker-agent.md, "Package registry and trust").
 */
async function toolEnv(home: string): Promise<Record<string, string>> {
  const settings = resolveRegistrySettings({ corepackIntegrityKeys: "0" }, process.env);
  const trust = await buildTrust(settings, { npmrc: path.join(home, ".npmrc"), yarnrc: path.join(home, ".yarnrc"), caBundle: path.join(home, "ca-bundle.pem") });
  await writeBuildTrustFiles(trust);
  return {
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: home,
    LANG: "C.UTF-8",
    CI: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    npm_config_cache: path.join(CORPUS_DOWNLOAD_CACHE, "npm"),
    npm_config_update_notifier: "false",
    COREPACK_HOME: path.join(CORPUS_DOWNLOAD_CACHE, "corepack"),
    ...trust.env,
  };
}

function run(argv: string[], cwd: string, env: Record<string, string>): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, contents] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), contents);
  }
}

const SERVER = (body: string) => `const express = require("express");
const app = express();
${body}
const port = Number(process.env.PORT);
app.listen(port, () => console.log("listening on " + port));
`;

const GENERATORS: Record<string, (dir: string, env: Record<string, string>) => void> = {
  /** `create-next-app` with its defaults (App Router, TypeScript, Tailwind), without next/font/google (it fetches fonts from the internet at build time). */
  "next-app": (dir, env) => {
    const parent = path.dirname(dir);
    run(["npx", "--yes", `create-next-app@${NEXT_VERSION}`, path.basename(dir), "--ts", "--app", "--tailwind", "--no-eslint", "--no-src-dir", "--import-alias", "@/*", "--use-npm", "--skip-install", "--disable-git", "--no-agents-md", "--no-react-compiler", "--yes"], parent, env);
    const layout = path.join(dir, "app", "layout.tsx");
    const source = readFileSync(layout, "utf8");
    const withoutFonts = source
      .replace(/^import \{[^}]*\} from "next\/font\/google";\n/m, "")
      .replace(/^const \w+ = \w+\(\{[\s\S]*?\}\);\n\n?/gm, "")
      .replace(/className=\{`\$\{\w+\.variable\} \$\{\w+\.variable\} ([^`]*)`\}/, 'className="$1"');
    if (withoutFonts.includes("next/font") || withoutFonts.includes(".variable")) throw new Error(`could not drop next/font/google from ${layout}:\n${withoutFonts}`);
    writeFileSync(layout, withoutFonts);
    run(["npm", "install", "--package-lock-only", "--no-audit", "--no-fund"], dir, env);
  },
  /** `create-vite` React template: a static site built into dist/. */
  "vite-react": (dir, env) => {
    run(["npx", "--yes", `create-vite@${CREATE_VITE_VERSION}`, path.basename(dir), "--template", "react", "--no-interactive", "--no-immediate"], path.dirname(dir), env);
    run(["npm", "install", "--package-lock-only", "--no-audit", "--no-fund"], dir, env);
  },
  /** An Express API with its lockfile. */
  "express-api": (dir, env) => {
    write(dir, {
      "package.json": JSON.stringify({ name: "express-api", version: "1.0.0", private: true, scripts: { start: "node server.js" } }, null, 2),
      "server.js": SERVER(`app.get("/api/health", (req, res) => res.json({ ok: true, app: "express-api" }));\napp.get("/", (req, res) => res.send("express api"));`),
    });
    run(["npm", "install", "express@5", "--package-lock-only", "--no-audit", "--no-fund"], dir, env);
  },
  /** An npm workspaces monorepo: the app in apps/api uses a package from packages/; one lockfile at the root. */
  monorepo: (dir, env) => {
    write(dir, {
      "package.json": JSON.stringify({ name: "monorepo", private: true, workspaces: ["apps/*", "packages/*"] }, null, 2),
      "packages/greeting/package.json": JSON.stringify({ name: "@corpus/greeting", version: "1.0.0", main: "index.js" }, null, 2),
      "packages/greeting/index.js": `module.exports = (who) => "hello from the monorepo, " + who;\n`,
      "apps/api/package.json": JSON.stringify({ name: "@corpus/api", version: "1.0.0", private: true, scripts: { start: "node server.js" }, dependencies: { "@corpus/greeting": "1.0.0", express: "^5" } }, null, 2),
      "apps/api/server.js": SERVER(`const greet = require("@corpus/greeting");\napp.get("/", (req, res) => res.send(greet("apps/api")));`),
      "apps/other/package.json": JSON.stringify({ name: "@corpus/other", version: "1.0.0", private: true }, null, 2),
    });
    run(["npm", "install", "--package-lock-only", "--no-audit", "--no-fund"], dir, env);
  },
  /** A pnpm project (packageManager pins pnpm; pnpm-lock.yaml made by that pnpm through corepack). */
  "pnpm-app": (dir, env) => {
    write(dir, {
      "package.json": JSON.stringify({ name: "pnpm-app", version: "1.0.0", private: true, packageManager: `pnpm@${PNPM_VERSION}`, scripts: { start: "node server.js" } }, null, 2),
      "server.js": SERVER(`app.get("/", (req, res) => res.send("installed with pnpm"));`),
    });
    run(["corepack", "pnpm", "add", "express@5", "--lockfile-only"], dir, env);
  },
  /** An app that asks for a Node this worker does not have. */
  "old-engines": (dir) => {
    write(dir, {
      "package.json": JSON.stringify({ name: "old-engines", version: "1.0.0", engines: { node: "18.x" }, scripts: { start: "node server.js" } }, null, 2),
      "server.js": `require("node:http").createServer((q, s) => s.end("old")).listen(Number(process.env.PORT));\n`,
    });
  },
};

export type FixtureName = keyof typeof GENERATORS;

/** The fixture's cached sources, generating them first if this clone has none yet. */
export async function corpusFixture(name: FixtureName): Promise<Fixture> {
  const dir = path.join(CORPUS_CACHE, `${name}-g${GENERATION}`);
  if (existsSync(path.join(dir, ".complete"))) return { name, dir };
  mkdirSync(CORPUS_CACHE, { recursive: true });
  const work = mkdtempSync(path.join(CORPUS_CACHE, `.gen-${name}-`));
  try {
    const home = path.join(work, "home");
    mkdirSync(home, { mode: 0o700 });
    const target = path.join(work, name);
    if (name !== "next-app" && name !== "vite-react") mkdirSync(target);
    GENERATORS[name]!(target, await toolEnv(home));
    rmSync(path.join(target, "node_modules"), { recursive: true, force: true });
    writeFileSync(path.join(target, ".complete"), new Date().toISOString());
    // Another run may have finished the same fixture meanwhile: keep theirs.
    try {
      renameSync(target, dir);
    } catch {
      if (!existsSync(path.join(dir, ".complete"))) throw new Error(`could not store fixture ${name} in ${dir}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { name, dir };
}

/** A fresh git repository (branch main) holding the fixture's files; returns its file:// URL. */
export function fixtureRepo(fixture: Fixture): { url: string; dir: string; cleanup(): void } {
  const parent = mkdtempSync(path.join(os.tmpdir(), `wh-corpus-${fixture.name}-`));
  const dir = path.join(parent, "repo");
  cpSync(fixture.dir, dir, { recursive: true, filter: (src) => path.basename(src) !== ".complete" });
  const git = (...args: string[]) => {
    const r = spawnSync("git", ["-c", "user.name=corpus", "-c", "user.email=corpus@example.test", ...args], { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  };
  git("init", "--quiet", "--initial-branch=main");
  git("add", "-A");
  git("commit", "--quiet", "-m", `${fixture.name} fixture`);
  return { url: pathToFileURL(dir).href, dir, cleanup: () => rmSync(parent, { recursive: true, force: true }) };
}
