import type { AppPlan } from "../process/detect-app";
import { SourceValidationError } from "../repo-source";
import { STEP_ENV_FILES } from "./build-secrets";
import { directStartArgv, npmStartEnv, startUnderSignalRelay } from "./start-command";

/** The unprivileged user apps run as when their image names none (no such user exists on the host). */
export const APP_UID = 10001;

/** Where the agent's own files go inside a build context and an image. */
export const AGENT_CONTEXT_DIR = ".wisehosting";
export const IMAGE_AGENT_DIR = "/opt/wisehosting";
export const GENERATED_CONTAINERFILE = `${AGENT_CONTEXT_DIR}/Containerfile`;
export const STATIC_SERVER_IN_CONTEXT = `${AGENT_CONTEXT_DIR}/static-server.mjs`;

/** Names usable as build ARGs; anything else could break out of the Containerfile line. */
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export interface GeneratedContainerfileOptions {
  baseImage: string;
  internalPort: number;
  /**
   * The app's env vars and the worker's registry settings as build secrets (build-secrets.ts),
   * mounted into the install and build steps: values never go into this file or a build arg.
   */
  stepSecrets?: { mountFlags: string };
  /**
   * The app's folder inside the build context, posix, when the context is a monorepo's workspace
   * root (the install runs there; build and start in this folder). Empty: the app is the context.
   */
  appSubdir?: string;
  /**
   * The image's labels (labels.ts), written as the file's last instruction. Not through the build
   * API's `labels`: Podman 4.3 appends one LABEL step per label, each committed as a layer.
   */
  labels?: Record<string, string>;
}

/** Label keys and values the LABEL line writes as they are: ours only (labels.ts), nothing to escape. */
const PLAIN_LABEL_TEXT = /^[A-Za-z0-9._-]*$/;

/** One LABEL instruction for all the labels. */
function labelInstruction(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([key, value]) => {
    if (!PLAIN_LABEL_TEXT.test(key) || !PLAIN_LABEL_TEXT.test(value)) throw new Error(`label ${JSON.stringify(key)}=${JSON.stringify(value)} holds characters a LABEL line would need to escape`);
    return `${JSON.stringify(key)}=${JSON.stringify(value)}`;
  });
  return `LABEL ${pairs.join(" ")}`;
}

/** Characters a WORKDIR and the static-folder script may take without quoting. */
const SAFE_SUBDIR = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Exec-form instruction: a JSON array is never run through a shell, so no argument is interpreted. */
function exec(instruction: "RUN" | "CMD", argv: string[]): string {
  return `${instruction} ${JSON.stringify(argv)}`;
}

/**
 * Where install and build steps keep package managers' caches (npm's, pnpm's store, yarn's): in the
 * step's own layer, outside /tmp, and removed when the step ends, so neither the image nor /tmp
 * holds hundreds of MiB of downloads (a create-next-app install filled /tmp's space).
 */
export const BUILD_CACHE_DIR = `${IMAGE_AGENT_DIR}/build-cache`;

/**
 * The shell every install and build step runs under (fixed text, no user input; the step's argv
 * follows as "$@", never parsed by a shell): loads the mounted variables files that exist (the
 * app's, then the registry's), points the package managers' caches at BUILD_CACHE_DIR, runs the
 * step, then removes the caches and keeps the step's exit status.
 */
const STEP_SCRIPT = [
  `for f in ${STEP_ENV_FILES.join(" ")}; do if [ -f "$f" ]; then . "$f"; fi; done`,
  `export npm_config_cache=${BUILD_CACHE_DIR}/npm npm_config_store_dir=${BUILD_CACHE_DIR}/pnpm-store YARN_CACHE_FOLDER=${BUILD_CACHE_DIR}/yarn YARN_GLOBAL_FOLDER=${BUILD_CACHE_DIR}/yarn-berry`,
  '"$@"',
  "status=$?",
  `rm -rf ${BUILD_CACHE_DIR}`,
  'exit "$status"',
].join("; ");

/** An install or build step, with the build secrets mounted for this step only. */
function step(argv: string[], secrets: GeneratedContainerfileOptions["stepSecrets"]): string {
  return `RUN ${secrets ? `${secrets.mountFlags} ` : ""}${JSON.stringify(["/bin/sh", "-c", STEP_SCRIPT, "sh", ...argv])}`;
}

/**
 * Picks the static site's folder after the build, in the order of the process runtime
 * (detect-app.ts `staticStart`): the first of dist, build, out, public holding an index.html, else
 * the root. Fixed text with no user input, so a shell may run it.
 */
const pickStaticDir = (appDir: string) => [
  "/bin/sh",
  "-c",
  `for d in dist build out public; do if [ -f "${appDir}/$d/index.html" ]; then ln -s "${appDir}/$d" ${IMAGE_AGENT_DIR}/site; exit 0; fi; done; ln -s ${appDir} ${IMAGE_AGENT_DIR}/site`,
];

/** Build args an app's own Dockerfile may declare, and a note for each env var left out. */
export function usableBuildArgs(names: string[]): { usable: string[]; skipped: string[] } {
  const usable = names.filter((n) => ARG_NAME.test(n)).sort();
  return { usable, skipped: names.filter((n) => !ARG_NAME.test(n)) };
}

/**
 * The Containerfile for a detected Node app or static site: the repository's root directory at
 * /app, the install and build steps as planned (root-owned files the app can read), then the
 * app as an unprivileged user with HOME and npm's cache on /tmp, the only writable place when the
 * root file system is read-only.
 */
export function generateContainerfile(plan: AppPlan, options: GeneratedContainerfileOptions): string {
  const subdir = options.appSubdir ?? "";
  if (subdir && (!SAFE_SUBDIR.test(subdir) || subdir.split("/").includes(".."))) {
    throw new SourceValidationError(`the root directory ${JSON.stringify(subdir)} may hold only letters, digits, ".", "_", "-" and "/" in a container build`);
  }
  const appDir = subdir ? `/app/${subdir}` : "/app";
  const direct = directStartArgv(plan.npmStart);
  const start = direct ?? plan.start ?? ["node", `${IMAGE_AGENT_DIR}/static-server.mjs`, `${IMAGE_AGENT_DIR}/site`];
  // Every instruction is a build step and Podman commits each as a layer (~0.1 s each here):
  // what no install or build step reads comes before the sources, where the layer cache keeps it
  // from one deploy to the next, and the steps after them are as few as they can be.
  const lines = [
    `# Generated by WiseHosting for a ${plan.kind === "node" ? "Node app" : "static site"}.`,
    ...plan.notes.map((n) => `# ${n.replace(/[\r\n]+/g, " ")}`),
    `FROM ${options.baseImage}`,
    // COREPACK_HOME is outside /tmp, which is an empty tmpfs when the app runs: pnpm and yarn that
    // corepack fetched at build time must still be there for a start command that runs through corepack.
    `ENV HOME=/tmp CI=true npm_config_cache=/tmp/.npm npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false COREPACK_HOME=${IMAGE_AGENT_DIR}/corepack`,
    `EXPOSE ${options.internalPort}`,
    exec("CMD", startUnderSignalRelay(start)),
    "WORKDIR /app",
    "COPY . /app",
  ];
  if (plan.install) lines.push(step(plan.install, options.stepSecrets));
  if (subdir) lines.push(`WORKDIR ${appDir}`);
  if (plan.build) lines.push(step(plan.build, options.stepSecrets));
  // The static server listens on loopback unless told otherwise; in a container it must listen
  // on the container's own interfaces, which the engine's port mapping reaches.
  if (plan.kind === "static") lines.push(`COPY ${STATIC_SERVER_IN_CONTEXT} ${IMAGE_AGENT_DIR}/static-server.mjs`, exec("RUN", pickStaticDir(appDir)));
  lines.push(`USER ${APP_UID}:${APP_UID}`);
  const runEnv = [`PORT=${options.internalPort}`, ...(plan.kind === "static" ? ["HOST=0.0.0.0"] : [])];
  if (direct && plan.npmStart) {
    lines.push(`# package.json's start script runs without npm (npm would stay resident beside the app and delay every start); npm's variables are set here.`);
    runEnv.push(...npmStartEnv(plan.npmStart, appDir, "/app"));
  }
  lines.push(`ENV ${runEnv.join(" ")}`);
  if (options.labels && Object.keys(options.labels).length) lines.push(labelInstruction(options.labels));
  lines.push("");
  return lines.join("\n");
}
