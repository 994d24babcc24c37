import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { copyFile, cp, link, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { BuildOutput, readBuildStream } from "./build-output";
import { packBuildContext } from "./build-context";
import type { Engine } from "./engine";
import { withPidLock } from "../../../os/pid-lock";
import { imageExists } from "./images";
import { LABELS } from "./labels";
import { findOnPath } from "./find-on-path";
import { buildUlimitsParam, containerUlimits } from "./ulimits";

/** The base image generated Containerfiles build on where no registry is reachable (tests, `npm start`). */
export const LOCAL_BASE_IMAGE = "localhost/wisehosting/node-base:24";
/** The production default: the public Node image, pulled by the engine from its registry. */
export const PUBLIC_BASE_IMAGE = "docker.io/library/node:24-slim";
export const LOCAL_ROOTFS_IMAGE = "localhost/wisehosting/debian-rootfs:bookworm";

export interface BaseImageOptions {
  engine: Engine;
  /** Name of the image to make (default LOCAL_BASE_IMAGE). */
  image?: string;
  /** The Debian root file system image it builds on; made with mmdebstrap when missing. */
  rootfsImage?: string;
  suite?: string;
  /** Node binary copied in (default: the one running this process, Node 24 from node_modules). */
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

/** FROM the root file system, Node (and npm) where the official node images keep them. */
function baseContainerfile(rootfsImage: string, withNpm: boolean): string {
  return [
    `FROM ${rootfsImage}`,
    "COPY node /usr/local/bin/node",
    ...(withNpm
      ? ["COPY npm /usr/local/lib/node_modules/npm", 'RUN ["/bin/ln", "-s", "../lib/node_modules/npm/bin/npm-cli.js", "/usr/local/bin/npm"]']
      : []),
    'RUN ["/usr/local/bin/node", "--version"]',
    "",
  ].join("\n");
}

async function buildNodeLayer(engine: Engine, options: Required<Omit<BaseImageOptions, "onLine" | "engine">>, onLine: (l: string) => void): Promise<void> {
  const dir = await mkdtemp(path.join(options.workDir, "wh-base-"));
  try {
    // A hard link when on the same file system: the binary is 120 MB.
    await link(options.nodeBinary, path.join(dir, "node")).catch(() => copyFile(options.nodeBinary, path.join(dir, "node")));
    if (options.npmDir) await cp(options.npmDir, path.join(dir, "npm"), { recursive: true, verbatimSymlinks: true });
    await writeFile(path.join(dir, "Containerfile"), baseContainerfile(options.rootfsImage, options.npmDir !== null));
    const context = await packBuildContext(dir);
    const stream = await engine.docker.buildImage(context, {
      t: options.image,
      dockerfile: "Containerfile",
      labels: { [LABELS.managed]: "true", [LABELS.role]: "base" },
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
  if (await imageExists(engine, image)) return { image, built: false, timings: {} };
  const onLine = options.onLine ?? (() => {});
  const settings = {
    image,
    rootfsImage: options.rootfsImage ?? LOCAL_ROOTFS_IMAGE,
    suite: options.suite ?? "bookworm",
    nodeBinary: options.nodeBinary ?? process.execPath,
    npmDir: options.npmDir === undefined ? await findNpmDir() : options.npmDir,
    lockDir: options.lockDir ?? os.tmpdir(),
    workDir: options.workDir ?? os.tmpdir(),
  };
  // One lock for all base images: they share the root file system image made on the way.
  return withPidLock(path.join(settings.lockDir, "wisehosting-base-images.lock"), async () => {
    if (await imageExists(engine, image)) return { image, built: false, timings: {} };
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
