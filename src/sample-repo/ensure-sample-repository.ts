import { spawn } from "node:child_process";
import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { sampleAppFiles } from "./sample-app-files";

const AUTHOR = ["-c", "user.name=WiseHosting", "-c", "user.email=sample@wisehosting.local", "-c", "commit.gpgsign=false"];

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", [...AUTHOR, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`git ${args[0]} failed in ${cwd}: ${err.trim()}`))));
  });
}

/**
 * Creates (once) a local git repository holding the sample Node app, committed on branch main,
 * and returns its file:// URL. Safe to call on every start: an existing repository is left as is.
 */
export async function ensureSampleRepository(dir: string): Promise<string> {
  const repo = path.resolve(dir);
  try {
    await access(path.join(repo, ".git"));
    return pathToFileURL(repo).href;
  } catch {
    // Not created yet.
  }
  await mkdir(repo, { recursive: true });
  for (const [name, contents] of Object.entries(sampleAppFiles)) await writeFile(path.join(repo, name), contents);
  await git(repo, ["init", "--quiet", "--initial-branch=main"]);
  await git(repo, ["add", "--", ...Object.keys(sampleAppFiles)]);
  await git(repo, ["commit", "--quiet", "-m", "Sample app: first release"]);
  return pathToFileURL(repo).href;
}

/**
 * Bumps the sample app's release number and commits it on main (the journey's "push a commit");
 * returns the new commit's sha.
 */
export async function commitSampleRelease(dir: string, message?: string): Promise<{ sha: string; release: number }> {
  const repo = path.resolve(dir);
  const file = path.join(repo, "RELEASE");
  const release = (Number((await readFile(file, "utf8")).trim()) || 1) + 1;
  await writeFile(file, `${release}\n`);
  await git(repo, ["add", "--", "RELEASE"]);
  await git(repo, ["commit", "--quiet", "-m", message ?? `Sample app: release ${release}`]);
  return { sha: await git(repo, ["rev-parse", "HEAD"]), release };
}
