import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll } from "vitest";

/**
 * The temporary folders made for repositories, removed once the test file's tests are done. This
 * module is imported at the top of a test file, so the hook belongs to the file's own suite.
 */
const madeParents: string[] = [];
afterAll(() => {
  for (const dir of madeParents.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempParent(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wh-repo-"));
  madeParents.push(dir);
  return dir;
}

/** A real local git repository on branch main holding `files`; returns its file:// URL and sha. */
export function createGitRepo(files: Record<string, string>, parent = tempParent()) {
  const dir = path.join(parent, "repo");
  mkdirSync(dir, { recursive: true });
  for (const [name, contents] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), contents);
  }
  const git = (...args: string[]) => {
    const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  };
  git("init", "--quiet", "--initial-branch=main");
  git("add", "-A");
  git("commit", "--quiet", "-m", "first commit");
  return { dir, url: pathToFileURL(dir).href, sha: git("rev-parse", "HEAD"), git };
}

/** A Node app whose start script is `node server.js` with the given server source. */
export function nodeApp(serverJs: string, scripts: Record<string, string> = {}): Record<string, string> {
  return {
    "package.json": JSON.stringify({ name: "fixture", version: "1.0.0", scripts: { start: "node server.js", ...scripts } }),
    "server.js": serverJs,
  };
}

export const helloServer = `require("node:http").createServer((q, s) => s.end("hello " + (process.env.WHO || "nobody"))).listen(Number(process.env.PORT));`;

/**
 * Serves on its first launch (so a deploy succeeds), exits a second later, and exits at once on
 * every later launch: a crash loop.
 */
export const crashLoopServer = `
  const fs = require("node:fs"); const marker = process.env.HOME + "/started";
  if (fs.existsSync(marker)) { console.error("boom"); process.exit(1); }
  fs.writeFileSync(marker, "1");
  require("node:http").createServer((q, s) => s.end("ok")).listen(Number(process.env.PORT));
  setTimeout(() => process.exit(1), 1000);`;

/** Grows by 300 MiB when /grow is requested. */
export const memoryHogServer = `
  const keep = [];
  require("node:http").createServer((q, s) => {
    if (q.url === "/grow") for (let i = 0; i < 30; i++) keep.push(Buffer.alloc(10 * 1024 * 1024, 1));
    s.end("ok");
  }).listen(Number(process.env.PORT));`;
