import { access, readFile } from "node:fs/promises";
import path from "node:path";
import { SourceValidationError } from "../repo-source";

export type PackageManager = "npm" | "pnpm" | "yarn";

/** How one Node app's dependencies are installed and its scripts run. */
export interface InstallPlan {
  manager: PackageManager;
  /** Where the install runs: the app's root directory, or the workspace root above it. */
  dir: string;
  install: string[] | null;
  /** argv that runs a package.json script with this manager. */
  runScript(script: string): string[];
  notes: string[];
}

export interface PackageJsonFacts {
  dependencyCount: number;
  packageManager?: string;
}

const LOCKFILES: Array<{ file: string; manager: PackageManager | "bun" }> = [
  { file: "package-lock.json", manager: "npm" },
  { file: "npm-shrinkwrap.json", manager: "npm" },
  { file: "pnpm-lock.yaml", manager: "pnpm" },
  { file: "yarn.lock", manager: "yarn" },
  { file: "bun.lock", manager: "bun" },
  { file: "bun.lockb", manager: "bun" },
];

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

async function lockfilesIn(dir: string) {
  const found = [];
  for (const entry of LOCKFILES) if (await exists(path.join(dir, entry.file))) found.push(entry);
  return found;
}

/** The directories a package.json's `workspaces` (array or {packages}) name, as globs. */
async function workspaceGlobs(dir: string): Promise<string[]> {
  try {
    const pkg = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")) as { workspaces?: unknown };
    const ws = pkg.workspaces;
    const list = Array.isArray(ws) ? ws : ws && typeof ws === "object" && Array.isArray((ws as { packages?: unknown }).packages) ? (ws as { packages: unknown[] }).packages : [];
    return list.filter((g): g is string => typeof g === "string");
  } catch {
    return [];
  }
}

/**
 * The directory whose lockfile installs this app: the app's own, or that of a workspace root
 * above it (inside the checkout) that lists the app among its workspaces, so a monorepo installs
 * once at its root the way its own tooling does.
 */
async function installRoot(checkout: string, root: string) {
  let dir = root;
  for (;;) {
    const locks = await lockfilesIn(dir);
    if (locks.length) {
      if (dir === root) return { dir, locks };
      const rel = path.relative(dir, root).split(path.sep).join("/");
      const globs = await workspaceGlobs(dir);
      const isWorkspace = globs.some((g) => path.matchesGlob(rel, g.replace(/\/$/, ""))) || (await exists(path.join(dir, "pnpm-workspace.yaml")));
      return isWorkspace ? { dir, locks } : { dir: root, locks: [] };
    }
    if (dir === checkout) return { dir: root, locks: [] };
    const parent = path.dirname(dir);
    if (parent === dir || !parent.startsWith(checkout)) return { dir: root, locks: [] };
    dir = parent;
  }
}

function managerName(packageManager: string | undefined): string | undefined {
  return packageManager ? /^([a-z0-9@/-]+?)(?:@|$)/i.exec(packageManager)?.[1] : undefined;
}

/** Yarn 2+ writes `__metadata` into its lockfile; yarn 1 does not. */
async function isYarnBerry(dir: string, packageManager: string | undefined): Promise<boolean> {
  const version = /^yarn@(\d+)/.exec(packageManager ?? "")?.[1];
  if (version) return Number(version) >= 2;
  const lock = await readFile(path.join(dir, "yarn.lock"), "utf8").catch(() => "");
  return /^__metadata:/m.test(lock);
}

/**
 * Picks the package manager the project's lockfile names (npm, or pnpm/yarn through corepack),
 * and where and how to install. Refuses, with what to do instead, a lockfile of a manager this
 * worker cannot run.
 */
export async function planInstall(options: {
  checkout: string;
  root: string;
  pkg: PackageJsonFacts;
  /** Whether `corepack` is on the build's PATH (pnpm and yarn run through it). */
  hasCorepack: boolean;
}): Promise<InstallPlan> {
  const { dir, locks } = await installRoot(options.checkout, options.root);
  const notes: string[] = [];
  const declared = managerName(options.pkg.packageManager);
  const where = dir === options.root ? "" : ` at the workspace root ${path.relative(options.checkout, dir) || "."}`;
  if (declared && !["npm", "pnpm", "yarn"].includes(declared)) {
    throw new SourceValidationError(
      `package.json names the package manager ${JSON.stringify(options.pkg.packageManager)}; this worker installs with npm, pnpm or yarn: change "packageManager" or remove it and commit a package-lock.json`,
    );
  }
  const lock = locks.find((l) => l.manager === declared) ?? locks[0];
  if (locks.length > 1) notes.push(`several lockfiles (${locks.map((l) => l.file).join(", ")}): using ${lock!.file}`);
  if (lock?.manager === "bun") {
    throw new SourceValidationError(
      `the project's lockfile is ${lock.file} (bun), and this worker has no bun: commit a package-lock.json (npm install), pnpm-lock.yaml or yarn.lock instead`,
    );
  }
  const manager = (lock?.manager as PackageManager | undefined) ?? (declared as PackageManager | undefined) ?? "npm";
  if (manager !== "npm" && !options.hasCorepack) {
    throw new SourceValidationError(
      `this project installs with ${manager} (${lock ? lock.file : `"packageManager": "${options.pkg.packageManager}"`}); the worker runs ${manager} through corepack, which is not installed on this worker: ` +
        "the worker's operator installs it (npm install -g corepack), or commit a package-lock.json instead",
    );
  }
  if (manager === "yarn" && (await isYarnBerry(dir, options.pkg.packageManager))) {
    const yarnrc = await readFile(path.join(dir, ".yarnrc.yml"), "utf8").catch(() => "");
    if (!/^nodeLinker:\s*["']?node-modules/m.test(yarnrc)) {
      throw new SourceValidationError(
        "this project uses Yarn 2+ with Plug'n'Play, which this worker cannot start (it runs apps with `npm start` from node_modules): add `nodeLinker: node-modules` to .yarnrc.yml",
      );
    }
  }

  const frozen = Boolean(lock);
  let install: string[] | null;
  switch (manager) {
    case "npm":
      install = frozen ? ["npm", "ci", "--no-audit", "--no-fund"] : options.pkg.dependencyCount > 0 ? ["npm", "install", "--no-audit", "--no-fund"] : null;
      break;
    case "pnpm":
      install = ["corepack", "pnpm", "install", ...(frozen ? ["--frozen-lockfile"] : [])];
      break;
    case "yarn":
      install = (await isYarnBerry(dir, options.pkg.packageManager))
        ? ["corepack", "yarn", "install", ...(frozen ? ["--immutable"] : [])]
        : ["corepack", "yarn", "install", "--non-interactive", ...(frozen ? ["--frozen-lockfile"] : [])];
      break;
  }
  if (install) notes.push(`install with ${manager}${lock ? ` (${lock.file}${where})` : where}${manager === "npm" ? "" : " through corepack"}`);
  else notes.push("no dependencies: install skipped");
  const runScript = (script: string) => (manager === "npm" ? ["npm", "run", script] : ["corepack", manager, "run", script]);
  return { manager, dir, install, runScript, notes };
}
