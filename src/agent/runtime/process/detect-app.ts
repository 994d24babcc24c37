import { access, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { BuildSettings } from "../../../protocol/job-payload";
import { commandWords } from "./command-words";
import { checkNodeEngine } from "./engines-check";
import { planInstall, type PackageManager } from "./package-manager";
import { SourceValidationError } from "../repo-source";
import { DOCKERFILE_NEEDS_ENGINE } from "./dockerfile-refusal";

/** How to build and run one checkout; every command is an argv array. */
export interface AppPlan {
  kind: "node" | "static";
  /** Absolute directory the steps run in (the repository's root directory setting). */
  root: string;
  install: string[] | null;
  /** Where `install` runs when not in `root`: the workspace root of a monorepo. */
  installDir?: string;
  /** The package manager the lockfile names (Node apps). */
  packageManager?: PackageManager;
  build: string[] | null;
  /** null: a static site served by the built-in server, resolved after the build (staticStart). */
  start: string[] | null;
  /** A static site built by package.json's build script: the output folder must hold an index.html. */
  staticFromBuild?: boolean;
  /**
   * package.json's start script and what npm would add to it, when `start` is the default
   * `npm start`: a container build may run the script without npm (container/start-command.ts).
   */
  npmStart?: NpmStartScript;
  /** Why each choice was made, for the build log. */
  notes: string[];
}

/** What `npm start` would run: the script, whether prestart/poststart hooks come with it, the package's name and version. */
export interface NpmStartScript {
  script: string;
  hooks: boolean;
  name?: string;
  version?: string;
}

const packageJsonSchema = z.object({
  name: z.string().optional().catch(undefined),
  version: z.string().optional().catch(undefined),
  main: z.string().optional().catch(undefined),
  scripts: z.record(z.string(), z.string()).optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  devDependencies: z.record(z.string(), z.string()).optional(),
  engines: z.object({ node: z.string().optional() }).partial().optional().catch(undefined),
  packageManager: z.string().optional().catch(undefined),
});
type PackageJson = z.infer<typeof packageJsonSchema>;

/** Build tools whose output is a static site (served from dist/, build/ or out/). */
const STATIC_BUILDERS = ["vite", "react-scripts", "parcel", "@angular/cli", "@vue/cli-service", "gatsby", "astro"];

export interface PlanOptions {
  /** The Node version builds and the app run on; null skips the engines.node check. */
  nodeVersion?: string | null;
  /** Whether corepack is on the build's PATH (pnpm and yarn run through it). */
  hasCorepack?: boolean;
}

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
export async function planApp(checkout: string, settings: BuildSettings, options: PlanOptions = {}): Promise<AppPlan> {
  if (settings.kind === "dockerfile") throw new SourceValidationError(DOCKERFILE_NEEDS_ENGINE);
  const root = await resolveRoot(checkout, settings.rootDirectory);
  const notes: string[] = [];
  const hasPackage = await exists(path.join(root, "package.json"));
  let pkg: PackageJson = {};
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
  const customStart = custom(settings.startCommand);

  let kind = settings.kind;
  let staticFromBuild = false;
  if (kind === "auto") {
    if (hasPackage && !scripts.start && !customStart && scripts.build && (await looksStatic(root, pkg))) {
      kind = "static";
      staticFromBuild = true;
      notes.push("detected a static site built by package.json (a build script, no start script): serving its build output");
    } else if (hasPackage) kind = "node";
    else if (await exists(path.join(root, "index.html"))) kind = "static";
    else {
      throw new SourceValidationError(
        "nothing to run: the repository root has neither package.json (Node app) nor index.html (static site); set the root directory if the app lives in a subfolder",
      );
    }
    if (!staticFromBuild) notes.push(`detected a ${kind === "node" ? "Node app (package.json)" : "static site (index.html)"}`);
  }

  if (hasPackage && options.nodeVersion !== null) {
    const note = checkNodeEngine(pkg.engines?.node, options.nodeVersion ?? process.versions.node);
    if (note) notes.push(note);
  }

  let install = custom(settings.installCommand);
  let installDir: string | undefined;
  let packageManager: PackageManager | undefined;
  let runScript = (script: string) => ["npm", "run", script];
  if (hasPackage) {
    const plan = await planInstall({
      checkout: await realpath(checkout),
      root,
      pkg: { dependencyCount: Object.keys(pkg.dependencies ?? {}).length + Object.keys(pkg.devDependencies ?? {}).length, packageManager: pkg.packageManager },
      hasCorepack: options.hasCorepack ?? true,
    });
    packageManager = plan.manager;
    runScript = plan.runScript;
    if (!install) {
      install = plan.install;
      if (plan.dir !== root) installDir = plan.dir;
      notes.push(...plan.notes);
    }
  }
  const build = custom(settings.buildCommand) ?? (scripts.build ? runScript("build") : null);

  let start = customStart;
  let npmStart: NpmStartScript | undefined;
  if (!start && kind === "node") {
    if (!scripts.start) throw new SourceValidationError(await missingStartMessage(root, pkg));
    start = ["npm", "start"];
    npmStart = {
      script: scripts.start,
      hooks: Boolean(scripts.prestart || scripts.poststart),
      ...(pkg.name ? { name: pkg.name } : {}),
      ...(pkg.version ? { version: pkg.version } : {}),
    };
  }
  if (start && start.length === 0) throw new SourceValidationError("the start command is empty");
  return {
    kind,
    root,
    install,
    ...(installDir ? { installDir } : {}),
    ...(packageManager ? { packageManager } : {}),
    build,
    start,
    ...(npmStart ? { npmStart } : {}),
    ...(staticFromBuild ? { staticFromBuild } : {}),
    notes,
  };
}

/** A package.json without a start script builds a static site when its build tool is a static one, or it has Vite's root index.html. */
async function looksStatic(root: string, pkg: PackageJson): Promise<boolean> {
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  if (STATIC_BUILDERS.some((name) => name in deps)) return true;
  return !("next" in deps) && (await exists(path.join(root, "index.html")));
}

/** What to add when a Node app has no start script, from what the repository holds. */
async function missingStartMessage(root: string, pkg: PackageJson): Promise<string> {
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  let suggestion: string | null = null;
  if ("next" in deps) suggestion = '"start": "next start"';
  else if ("nuxt" in deps) suggestion = '"start": "node .output/server/index.mjs"';
  else if (pkg.main && (await exists(path.join(root, pkg.main)))) suggestion = `"start": "node ${pkg.main}"`;
  else {
    for (const file of ["server.js", "server.mjs", "index.js", "index.mjs", "app.js", "main.js", "src/server.js", "src/index.js"]) {
      if (await exists(path.join(root, file))) {
        suggestion = `"start": "node ${file}"`;
        break;
      }
    }
  }
  return (
    `package.json has no "start" script, so the worker does not know how to run the app: add ${suggestion ?? 'one (e.g. "start": "node server.js")'} to its "scripts", ` +
    "or set a start command in the app's build settings. The app must listen on the port in $PORT"
  );
}

/** The built-in static server's argv, pointed at the build output (so call it after the build). */
export async function staticStart(root: string, nodeBinary = process.execPath): Promise<string[]> {
  return [nodeBinary, STATIC_SERVER_PATH, await findPublishDir(root)];
}

/** Static sites are served from the first build output folder that holds an index.html. */
async function findPublishDir(root: string): Promise<string> {
  return (await findBuiltSite(root)) ?? root;
}

/** The build output folder holding an index.html, or null (a static build produced no site). */
export async function findBuiltSite(root: string): Promise<string | null> {
  for (const dir of ["dist", "build", "out", "public"]) {
    if (await exists(path.join(root, dir, "index.html"))) return path.join(root, dir);
  }
  return null;
}
