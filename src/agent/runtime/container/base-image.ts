import { execFile, spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { copyFile, cp, link, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { BuildOutput, readBuildStream } from "./build-output";
import { packBuildContext } from "./build-context";
import type { Engine } from "./engine";
import { withPidLock } from "../../../os/pid-lock";
import { imageExists, inspectImage } from "./images";
import { LABELS } from "./labels";
import { findOnPath } from "./find-on-path";
import { buildUlimitsParam, containerUlimits } from "./ulimits";

/** The base image generated Containerfiles build on where no registry is reachable (tests, `npm start`). */
export const LOCAL_BASE_IMAGE = "localhost/wisehosting/node-base:24";
/** The production default: the public Node image, pulled by the engine from its registry. */
export const PUBLIC_BASE_IMAGE = "docker.io/library/node:24-slim";
export const LOCAL_ROOTFS_IMAGE = "localhost/wisehosting/debian-rootfs:bookworm";
/**
 * Bumped when baseContainerfile changes, so an image made by an earlier version is made again
 * (2: corepack, for pnpm and yarn projects, and NODE_VERSION, which engines.node is checked against).
 */
const BASE_GENERATION = "2";
const GENERATION_LABEL = "wisehosting.base-generation";

export interface BaseImageOptions {
  engine: Engine;
  /** Name of the image to make (default LOCAL_BASE_IMAGE). */
  image?: string;
  /** The Debian root file system image it builds on; made with mmdebstrap when missing. */
  rootfsImage?: string;
  suite?: string;
  /**
   * Node binary copied in. Default: the first Node of the major the image's tag names (":24") among
   * the one running this process, node_modules/node/bin/node (the node@24 devDependency) and the
   * `node` on PATH; a Node of another major is refused, never labelled as the tag's.
   */
  nodeBinary?: string;
  /** npm's package folder copied in; default: the npm found on PATH; null: no npm in the image. */
  npmDir?: string | null;
  /** Where the lock file lives; every caller on the machine must use the same folder (default: the temp dir). */
  lockDir?: string;
  /** Scratch space for the root file system tarball (≈180 MB; default: the temp dir). */
  workDir?: string;
  onLine?: (line: string) => void;
}

export interface BaseImageResult {
  image: string;
  /** False when the image was already there (the usual case after the first run). */
  built: boolean;
  /** Milliseconds per step that ran: mmdebstrap, import, build. */
  timings: Record<string, number>;
}

export class BaseImageError extends Error {
  override name = "BaseImageError";
}

/** npm's package folder, found through the `npm` on PATH (a symlink into lib/node_modules/npm). */
export async function findNpmDir(): Promise<string | null> {
  const bin = await findOnPath("npm");
  if (!bin) return null;
  let dir = path.dirname(await realpath(bin));
  for (let i = 0; i < 4; i++) {
    const pkg = await readFile(path.join(dir, "package.json"), "utf8").catch(() => null);
    if (pkg && z.object({ name: z.literal("npm") }).safeParse(JSON.parse(pkg)).success) return dir;
    dir = path.dirname(dir);
  }
  return null;
}

/** The version of the Node binary copied into the image, e.g. "24.11.0". */
async function nodeVersionOf(binary: string): Promise<string> {
  if (binary === process.execPath) return process.versions.node;
  const { stdout } = await promisify(execFile)(binary, ["--version"], { timeout: 30_000 });
  const version = stdout.trim().replace(/^v/, "");
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new BaseImageError(`${binary} --version printed ${JSON.stringify(stdout.trim())}, not a Node version`);
  return version;
}

function run(command: string, args: string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine(line);
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", (err) => reject(new BaseImageError(`could not run ${command}: ${err.message}`)));
    child.once("close", (code, signal) =>
      code === 0 ? resolve() : reject(new BaseImageError(`${command} failed (${signal ?? `exit ${code}`}):\n${tail.join("\n")}`)),
    );
  });
}

/** mmdebstrap → tarball → POST /images/create?fromSrc=-. */
async function importRootfs(engine: Engine, image: string, suite: string, workDir: string, onLine: (l: string) => void): Promise<Record<string, number>> {
  const dir = await mkdtemp(path.join(workDir, "wh-rootfs-"));
  try {
    const tarball = path.join(dir, "rootfs.tar");
    let t = Date.now();
    await run("mmdebstrap", ["--variant=minbase", suite, tarball], onLine);
    const mmdebstrap = Date.now() - t;
    t = Date.now();
    const stream = await engine.docker.importImage(createReadStream(tarball), { repo: image });
    const output = new BuildOutput({ onLine });
    await readBuildStream(stream, output);
    if (output.error) throw new BaseImageError(`importing the root file system failed: ${output.error}`);
    if (!(await imageExists(engine, image))) throw new BaseImageError(`the engine imported the root file system but has no image ${image}`);
    return { mmdebstrap, import: Date.now() - t };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** FROM the root file system, Node (with npm and corepack) where the official node images keep them. */
function baseContainerfile(rootfsImage: string, withNpm: boolean, withCorepack: boolean, nodeVersion: string): string {
  return [
    `FROM ${rootfsImage}`,
    `ENV NODE_VERSION=${nodeVersion}`,
    "COPY node /usr/local/bin/node",
    ...(withNpm
      ? ["COPY npm /usr/local/lib/node_modules/npm", 'RUN ["/bin/ln", "-s", "../lib/node_modules/npm/bin/npm-cli.js", "/usr/local/bin/npm"]']
      : []),
    ...(withCorepack
      ? ["COPY corepack /usr/local/lib/node_modules/corepack", 'RUN ["/bin/ln", "-s", "../lib/node_modules/corepack/dist/corepack.js", "/usr/local/bin/corepack"]']
      : []),
    'RUN ["/usr/local/bin/node", "--version"]',
    "",
  ].join("\n");
}

/** corepack's package folder beside npm's (Node ships both in lib/node_modules), or null. */
async function findCorepackDir(npmDir: string | null): Promise<string | null> {
  if (!npmDir) return null;
  const dir = path.join(path.dirname(npmDir), "corepack");
  const pkg = await readFile(path.join(dir, "package.json"), "utf8").catch(() => null);
  return pkg && z.object({ name: z.literal("corepack") }).safeParse(JSON.parse(pkg)).success ? dir : null;
}

/** The Node major an image's tag promises ("…/node-base:24" → 24), or null when the tag names none. */
function taggedNodeMajor(image: string): number | null {
  const m = /:(\d+)(?:[.-][\w.-]*)?$/.exec(image);
  return m ? Number(m[1]) : null;
}

/** Present, made by this version of baseContainerfile, and holding the Node major its tag names. */
async function isCurrent(engine: Engine, image: string): Promise<boolean> {
  const info = await inspectImage(engine, image);
  if (info?.Config?.Labels?.[GENERATION_LABEL] !== BASE_GENERATION) return false;
  const major = taggedNodeMajor(image);
  if (major === null) return true;
  const version = info.Config?.Env?.find((e) => e.startsWith("NODE_VERSION="))?.slice("NODE_VERSION=".length);
  // An image made with a Node of another major (a process run on the system's older Node) is made again.
  return Number(version?.split(".")[0]) === major;
}

/** The Node binary to copy into `image`: one whose major is the tag's (see BaseImageOptions.nodeBinary). */
async function nodeBinaryFor(image: string, explicit: string | undefined): Promise<string> {
  const major = taggedNodeMajor(image);
  const candidates = explicit ? [explicit] : [process.execPath, path.resolve("node_modules", "node", "bin", "node"), await findOnPath("node")];
  if (major === null) return candidates[0]!;
  const seen: string[] = [];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const version = await nodeVersionOf(candidate).catch(() => null);
    if (!version) continue;
    if (Number(version.split(".")[0]) === major) return candidate;
    seen.push(`${candidate} is Node ${version}`);
  }
  throw new BaseImageError(
    `${image} needs a Node ${major} binary to copy in, and none was found (${seen.join("; ") || "no Node binary found"}): ` +
      `run this with Node ${major} (npm ci installs it at node_modules/.bin/node; npm scripts use it), or pass nodeBinary`,
  );
}

async function buildNodeLayer(engine: Engine, options: Required<Omit<BaseImageOptions, "onLine" | "engine">>, onLine: (l: string) => void): Promise<void> {
  const dir = await mkdtemp(path.join(options.workDir, "wh-base-"));
  try {
    // A hard link when on the same file system: the binary is 120 MB.
    await link(options.nodeBinary, path.join(dir, "node")).catch(() => copyFile(options.nodeBinary, path.join(dir, "node")));
    if (options.npmDir) await cp(options.npmDir, path.join(dir, "npm"), { recursive: true, verbatimSymlinks: true });
    const corepackDir = await findCorepackDir(options.npmDir);
    if (corepackDir) await cp(corepackDir, path.join(dir, "corepack"), { recursive: true, verbatimSymlinks: true });
    const nodeVersion = await nodeVersionOf(options.nodeBinary);
    await writeFile(path.join(dir, "Containerfile"), baseContainerfile(options.rootfsImage, options.npmDir !== null, corepackDir !== null, nodeVersion));
    const context = await packBuildContext(dir);
    const stream = await engine.docker.buildImage(context, {
      t: options.image,
      dockerfile: "Containerfile",
      labels: { [LABELS.managed]: "true", [LABELS.role]: "base", [GENERATION_LABEL]: BASE_GENERATION },
      rm: true,
      forcerm: true,
      // @types/dockerode types ulimits as objects; Podman wants strings (ulimits.ts).
      ...({ ulimits: buildUlimitsParam(engine.name, containerUlimits()) } as object),
    });
    const output = new BuildOutput({ onLine });
    await readBuildStream(stream, output);
    if (output.error) throw new BaseImageError(`building ${options.image} failed: ${output.error}\n${output.tail().join("\n")}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Makes the local Node base image once: a minimal Debian root file system (mmdebstrap, Debian's
 * package), imported into the engine, plus this machine's Node 24 and npm. Does nothing when the
 * image exists. Concurrent callers (parallel test files, `npm start`) wait on one lock file.
 */
export async function ensureBaseImage(options: BaseImageOptions): Promise<BaseImageResult> {
  const { engine } = options;
  const image = options.image ?? LOCAL_BASE_IMAGE;
  if (await isCurrent(engine, image)) return { image, built: false, timings: {} };
  const onLine = options.onLine ?? (() => {});
  const settings = {
    image,
    rootfsImage: options.rootfsImage ?? LOCAL_ROOTFS_IMAGE,
    suite: options.suite ?? "bookworm",
    nodeBinary: await nodeBinaryFor(image, options.nodeBinary),
    npmDir: options.npmDir === undefined ? await findNpmDir() : options.npmDir,
    lockDir: options.lockDir ?? os.tmpdir(),
    workDir: options.workDir ?? os.tmpdir(),
  };
  // One lock for all base images: they share the root file system image made on the way.
  return withPidLock(path.join(settings.lockDir, "wisehosting-base-images.lock"), async () => {
    if (await isCurrent(engine, image)) return { image, built: false, timings: {} };
    let timings: Record<string, number> = {};
    if (!(await imageExists(engine, settings.rootfsImage))) {
      onLine(`making the ${settings.suite} root file system with mmdebstrap`);
      timings = await importRootfs(engine, settings.rootfsImage, settings.suite, settings.workDir, onLine);
    }
    const t = Date.now();
    onLine(`building ${image} from ${settings.rootfsImage} with ${settings.nodeBinary}${settings.npmDir ? ` and npm from ${settings.npmDir}` : " (no npm found)"}`);
    await buildNodeLayer(engine, settings, onLine);
    timings.build = Date.now() - t;
    return { image, built: true, timings };
  });
}
