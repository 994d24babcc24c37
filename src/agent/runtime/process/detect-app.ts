import { access, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { BuildSettings } from "../../../protocol/job-payload";
import { commandWords } from "./command-words";
import { SourceValidationError } from "../repo-source";

/** How to build and run one checkout; every command is an argv array. */
export interface AppPlan {
  kind: "node" | "static";
  /** Absolute directory the steps run in (the repository's root directory setting). */
  root: string;
  install: string[] | null;
  build: string[] | null;
  /** null: a static site served by the built-in server, resolved after the build (staticStart). */
  start: string[] | null;
  /** Why each choice was made, for the build log. */
  notes: string[];
}

const packageJsonSchema = z.object({
  scripts: z.record(z.string(), z.string()).optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  devDependencies: z.record(z.string(), z.string()).optional(),
});

/** The small built-in static file server, run with the agent's own Node. */
export const STATIC_SERVER_PATH = fileURLToPath(new URL("./static-server.mjs", import.meta.url));

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Resolves the root directory setting inside the checkout; symlinks may not lead outside it. */
export async function resolveRoot(checkout: string, rootDirectory: string): Promise<string> {
  const rel = rootDirectory.trim().replace(/^\.?\/+/, "");
  if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes("..")) {
    throw new SourceValidationError(`root directory ${JSON.stringify(rootDirectory)} must be a path inside the repository`);
  }
  const base = await realpath(checkout);
  let resolved: string;
  try {
    resolved = await realpath(path.join(base, rel));
  } catch {
    throw new SourceValidationError(`root directory ${JSON.stringify(rootDirectory)} does not exist in the repository`);
  }
  if (resolved !== base && !resolved.startsWith(base + path.sep)) {
    throw new SourceValidationError(`root directory ${JSON.stringify(rootDirectory)} leads outside the repository`);
  }
  return resolved;
}

/** Detects a Node app (package.json) or a static site (index.html) and plans its steps. */
export async function planApp(checkout: string, settings: BuildSettings): Promise<AppPlan> {
  const root = await resolveRoot(checkout, settings.rootDirectory);
  const notes: string[] = [];
  const hasPackage = await exists(path.join(root, "package.json"));
  let kind = settings.kind;
  if (kind === "auto") {
    if (hasPackage) kind = "node";
    else if (await exists(path.join(root, "index.html"))) kind = "static";
    else {
      throw new SourceValidationError(
        "nothing to run: the repository root has neither package.json (Node app) nor index.html (static site); set the root directory if the app lives in a subfolder",
      );
    }
    notes.push(`detected a ${kind === "node" ? "Node app (package.json)" : "static site (index.html)"}`);
  }

  let pkg: z.infer<typeof packageJsonSchema> = {};
  if (hasPackage) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));
    } catch {
      throw new SourceValidationError("package.json is not valid JSON");
    }
    const parsed = packageJsonSchema.safeParse(json);
    if (!parsed.success) throw new SourceValidationError("package.json has malformed scripts or dependencies");
    pkg = parsed.data;
  }
  const scripts = pkg.scripts ?? {};
  const custom = (command: string) => (command.trim() ? commandWords(command) : null);

  let install = custom(settings.installCommand);
  if (!install && hasPackage) {
    const hasLock = (await exists(path.join(root, "package-lock.json"))) || (await exists(path.join(root, "npm-shrinkwrap.json")));
    const depCount = Object.keys(pkg.dependencies ?? {}).length + Object.keys(pkg.devDependencies ?? {}).length;
    if (hasLock) install = ["npm", "ci", "--no-audit", "--no-fund"];
    else if (depCount > 0) install = ["npm", "install", "--no-audit", "--no-fund"];
    notes.push(install ? `install with ${install.slice(0, 2).join(" ")}${hasLock ? " (lockfile found)" : ""}` : "no dependencies: install skipped");
  }
  const build = custom(settings.buildCommand) ?? (scripts.build ? ["npm", "run", "build"] : null);

  let start = custom(settings.startCommand);
  if (!start && kind === "node") {
    if (!scripts.start) {
      throw new SourceValidationError('package.json has no "start" script: add one (e.g. "start": "node server.js") or set a start command');
    }
    start = ["npm", "start"];
  }
  if (start && start.length === 0) throw new SourceValidationError("the start command is empty");
  return { kind, root, install, build, start, notes };
}

/** The built-in static server's argv, pointed at the build output (so call it after the build). */
export async function staticStart(root: string, nodeBinary = process.execPath): Promise<string[]> {
  return [nodeBinary, STATIC_SERVER_PATH, await findPublishDir(root)];
}

/** Static sites are served from the first build output folder that holds an index.html. */
async function findPublishDir(root: string): Promise<string> {
  for (const dir of ["dist", "build", "out", "public"]) {
    if (await exists(path.join(root, dir, "index.html"))) return path.join(root, dir);
  }
  return root;
}
