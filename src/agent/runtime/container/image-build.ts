import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type Dockerode from "dockerode";
import type { RegistrySettings } from "../../config/registry-settings";
import { STATIC_SERVER_PATH } from "../process/detect-app";
import { buildCgroupParent, fenceBuild, killBuildProcesses, removeBuildCgroup } from "./build-cancel";
import { packBuildContext, type ExtraFile } from "./build-context";
import { BuildOutput, readBuildStream } from "./build-output";
import { planImageBuild, type ContainerBuildSettings, type ImageBuildPlan } from "./build-plan";
import { BuildMemorySampler } from "./build-memory";
import { buildSecrets, type BuildSecrets } from "./build-secrets";
import { buildNetworkParams } from "./build-network";
import { registryFailureOf } from "./build-registry-failure";
import { generateContainerfile, GENERATED_CONTAINERFILE, STATIC_SERVER_IN_CONTEXT, usableBuildArgs } from "./containerfile";
import type { Engine } from "./engine";
import { engineGone } from "./engine-gone";
import { imageNodeVersion, inspectImage } from "./images";
import { appImageTag, appLabels, LABELS, type AppRef } from "./labels";
import { buildUlimitsParam, containerUlimits } from "./ulimits";

export interface ImageBuildRequest {
  engine: Engine;
  /** The checked-out repository. */
  checkout: string;
  settings: ContainerBuildSettings;
  app: AppRef;
  /** The port the app listens on inside its container (the job payload's internalPort). */
  internalPort: number;
  /** FROM of generated Containerfiles (configuration: a public node image in production). */
  baseImage: string;
  /** The plan's CPU (cores) and memory, enforced on the build's steps. */
  limits: { cpu: number; memoryMb: number };
  timeoutMs: number;
  /**
   * The app's env vars, visible to the build steps as the process runtime's builds see them: in a
   * generated Containerfile as a build secret loaded by the install and build steps (never a build
   * arg, whose values `podman history` shows); an app's own Dockerfile gets them as build args for
   * the ARGs it declares, and may mount the same secret (docs/worker-agent.md).
   */
  buildEnv?: Record<string, string>;
  /** The worker's registry and trust settings, mounted into install and build steps as secrets (build-secrets.ts). */
  registry?: RegistrySettings;
  /** Repository prefix of the image tags (default localhost/wisehosting). */
  tagPrefix?: string;
  onLine?: (line: string) => void;
  /** Percent of the build done (by steps) and a sentence for the user. */
  onProgress?: (percent: number, message: string) => void;
  signal?: AbortSignal;
}

export interface ImageBuildResult {
  /** The deployment's tag, e.g. localhost/wisehosting/app-7:42. */
  image: string;
  imageId: string;
  sizeBytes: number;
  kind: ImageBuildPlan["kind"];
  /** The generated Containerfile, or null for the repository's own. */
  containerfile: string | null;
  /** Generated images run with a read-only root file system; an app's own Dockerfile may expect to write. */
  readOnlyRootfs: boolean;
  /** The image's USER, or null (container-spec.ts containerUser). */
  imageUser: string | null;
  durationMs: number;
}

/** How long a stopped build may take to end by itself once its steps are killed. */
const STOP_GRACE_MS = 15_000;

export type ImageBuildFailure = "failed" | "timeout" | "aborted";

export class ImageBuildError extends Error {
  override name = "ImageBuildError";
  constructor(
    message: string,
    readonly reason: ImageBuildFailure,
    /** The last lines of build output, for the deployment's failure message. */
    readonly logTail: string[],
  ) {
    super(message);
  }
}

/** The build's context files and the build file's name inside it. */
async function contextFor(plan: ImageBuildPlan, request: ImageBuildRequest, secrets: BuildSecrets | null, labels: Record<string, string>) {
  const secretFiles = secrets?.contextFiles ?? [];
  if (plan.kind === "dockerfile") return { root: plan.root, dockerfile: plan.dockerfile, extraFiles: secretFiles, containerfile: null, keep: [plan.dockerfile] };
  // A monorepo app installs at its workspace root: that is the context, the app a folder in it.
  const root = plan.app.installDir ?? plan.root;
  const appSubdir = path.relative(root, plan.root).split(path.sep).join("/");
  const containerfile = generateContainerfile(plan.app, {
    appSubdir,
    baseImage: request.baseImage,
    internalPort: request.internalPort,
    labels,
    ...(secrets ? { stepSecrets: secrets } : {}),
  });
  const extraFiles: ExtraFile[] = [{ name: GENERATED_CONTAINERFILE, content: containerfile }, ...secretFiles];
  if (plan.kind === "static") extraFiles.push({ name: STATIC_SERVER_IN_CONTEXT, content: await readFile(STATIC_SERVER_PATH) });
  return { root, dockerfile: GENERATED_CONTAINERFILE, extraFiles, containerfile, keep: [] };
}

/**
 * Builds one deployment's image through the Engine API: the app's own Dockerfile/Containerfile
 * as is, or a generated Containerfile (echoed into the build log) for a Node app or static site.
 * The build's steps run under the plan's memory and CPU; past the timeout (or on `signal`) the
 * request is aborted, which makes the engine cancel the build. Tagged per app and deployment and
 * labelled so the agent can find and prune its images.
 */
export async function buildAppImage(request: ImageBuildRequest): Promise<ImageBuildResult> {
  const started = Date.now();
  const onLine = request.onLine ?? (() => {});
  const plan = await planImageBuild(request.checkout, request.settings, { nodeVersion: await imageNodeVersion(request.engine, request.baseImage) });
  for (const note of plan.notes) onLine(note);

  const env = request.buildEnv ?? {};
  let made;
  try {
    made = await buildSecrets(request.engine.name, { ...(request.registry ? { registry: request.registry } : {}), appEnv: env }, randomBytes(6).toString("hex"));
  } catch (err) {
    throw new ImageBuildError(`the worker's registry settings are not usable: ${(err as Error).message}`, "failed", []);
  }
  if (made.summary) onLine(`Package registry: ${made.summary}`);
  for (const note of made.notes) onLine(`note: ${note}`);
  const secrets = made.secrets;
  if (secrets) onLine(`  (mounted into the install and build steps as build secrets ${secrets.mountFlags.match(/id=[\w-]+/g)?.join(", ") ?? ""}; never stored in the image)`);
  // An app's own Dockerfile reads the app's env vars through the ARGs it declares, as with any builder.
  const buildArgs = plan.kind === "dockerfile" ? usableBuildArgs(Object.keys(env)) : { usable: [], skipped: [] };
  if (buildArgs.skipped.length) onLine(`not passed to the build as build args (not usable as build arg names): ${buildArgs.skipped.join(", ")}`);
  const labels = appLabels(request.app, { [LABELS.kind]: plan.kind });
  const ctx = await contextFor(plan, request, secrets, labels);
  if (ctx.containerfile) {
    onLine("generated Containerfile:");
    for (const line of ctx.containerfile.trimEnd().split("\n")) onLine(`  ${line}`);
  }

  const image = appImageTag(request.app.appId, request.app.deploymentId, request.tagPrefix);
  const memory = request.limits.memoryMb * 1024 * 1024;
  const options: Dockerode.ImageBuildOptions = {
    t: image,
    dockerfile: ctx.dockerfile,
    // A generated Containerfile holds its labels; the app's own file gets them from the engine.
    ...(ctx.containerfile ? {} : { labels }),
    buildargs: Object.fromEntries(buildArgs.usable.map((n) => [n, env[n]!])),
    memory,
    // Equal to memory: no swap on top of the plan's memory.
    memswap: memory,
    cpuperiod: 100_000,
    cpuquota: Math.max(1_000, Math.round(request.limits.cpu * 100_000)),
    rm: true,
    forcerm: true,
    pull: false,
  };
  // @types/dockerode types ulimits as objects; Podman wants strings (ulimits.ts).
  Object.assign(options, { ulimits: buildUlimitsParam(request.engine.name, containerUlimits()) }, buildNetworkParams(request.engine.name));
  if (secrets) Object.assign(options, { secrets: secrets.secretsParam });

  // How a build is stopped (timeout or cancel): its step processes are killed first, so the
  // engine fails the build the ordinary way and cleans up; the request is dropped only if the
  // build still has not ended after a grace period (build-cancel.ts says why).
  const cgroupParent = await buildCgroupParent(request.engine, request.app.workerName, `${request.app.appId}_${request.app.deploymentId}`);
  if (cgroupParent) Object.assign(options, { cgroupparent: cgroupParent });
  const controller = new AbortController();
  let stopped: ImageBuildFailure | null = null;
  let streamEnded = false;
  const stop = async (reason: ImageBuildFailure) => {
    if (stopped) return;
    stopped = reason;
    const graceEnds = Date.now() + (cgroupParent ? STOP_GRACE_MS : 0);
    if (cgroupParent) await fenceBuild(cgroupParent);
    while (cgroupParent && !streamEnded && Date.now() < graceEnds) {
      await killBuildProcesses(cgroupParent);
      await new Promise((r) => setTimeout(r, 500));
    }
    if (!streamEnded) controller.abort();
  };
  const timer = setTimeout(() => void stop("timeout"), request.timeoutMs);
  const onAbort = () => void stop("aborted");
  if (request.signal?.aborted) onAbort();
  request.signal?.addEventListener("abort", onAbort, { once: true });
  // The step each output line belongs to, so a failed install can be read for registry problems.
  let stepLines: string[] = [];
  // Each RUN step's peak memory, said when the next step begins (as the process runtime says it).
  const memorySampler = cgroupParent ? new BuildMemorySampler(cgroupParent) : null;
  const sayStepPeak = () => {
    const peak = memorySampler?.takeStepPeak() ?? 0;
    const header = stepLines[0]?.trim() ?? "";
    const stepNo = /^step (\d+\/\d+)/i.exec(header)?.[1];
    if (peak > 0 && stepNo) onLine(`(step ${stepNo}: peak memory ${Math.ceil(peak / 1048576)} MiB of ${request.limits.memoryMb} MiB)`);
  };
  const output = new BuildOutput({
    onLine: (line) => {
      if (/^step \d+\/\d+\s?:/i.test(line.trim())) {
        sayStepPeak();
        stepLines = [];
      }
      stepLines.push(line);
      onLine(line);
    },
    onStep: (step, total) => request.onProgress?.(Math.floor((step / total) * 100), `build step ${step + 1} of ${total}`),
  });
  try {
    const context = await packBuildContext(ctx.root, { extraFiles: ctx.extraFiles, keep: ctx.keep, excludeGit: plan.kind !== "dockerfile" });
    const stream = await request.engine.docker.buildImage(context, { ...options, abortSignal: controller.signal });
    memorySampler?.start();
    await readBuildStream(stream, output);
    sayStepPeak();
  } catch (err) {
    if (!stopped) {
      const gone = await engineGone(request.engine);
      throw new ImageBuildError(gone ?? `the build could not run: ${(err as Error).message}`, "failed", output.tail());
    }
  } finally {
    memorySampler?.stop();
    streamEnded = true;
    // Not after an aborted request: the build may still be running in the engine, and its fence
    // (pids.max 0) would go with the directory.
    if (cgroupParent && !controller.signal.aborted) await removeBuildCgroup(cgroupParent);
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", onAbort);
  }
  if (stopped) {
    const message =
      stopped === "timeout" ? `the build took longer than ${Math.round(request.timeoutMs / 1000)} s and was stopped` : "the build was cancelled";
    onLine(message);
    throw new ImageBuildError(message, stopped, [...output.tail(), message]);
  }
  // A stream that ends with neither an image nor an error: the engine went away mid-build.
  if (!output.error && !output.imageId) {
    const gone = await engineGone(request.engine);
    throw new ImageBuildError(gone ?? "the engine ended the build without an image or an error", "failed", output.tail());
  }
  if (output.error) {
    const registryFailure = plan.kind === "dockerfile" ? null : registryFailureOf(stepLines, plan.app.install, request.registry);
    if (registryFailure) {
      onLine(registryFailure);
      throw new ImageBuildError(registryFailure, "failed", [...output.tail(), registryFailure]);
    }
    throw new ImageBuildError(`the image build failed: ${output.error}`, "failed", output.tail());
  }

  const info = await inspectImage(request.engine, image);
  if (!info) throw new ImageBuildError(`the build finished but the engine has no image ${image}`, "failed", output.tail());
  request.onProgress?.(100, "image built");
  return {
    image,
    imageId: info.Id,
    sizeBytes: info.Size ?? 0,
    kind: plan.kind,
    containerfile: ctx.containerfile,
    readOnlyRootfs: plan.kind !== "dockerfile",
    imageUser: info.Config?.User ?? null,
    durationMs: Date.now() - started,
  };
}
