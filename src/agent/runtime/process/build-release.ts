import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { DeployPayload } from "../../../protocol/job-payload";
import type { RegistrySettings } from "../../config/registry-settings";
import type { Release } from "./app-store";
import { buildTrust, writeBuildTrustFiles } from "../build-trust";
import { appEnvironment, buildEnvironment, childPath, commandOnPath } from "./build-env";
import { cpuPinning, effectiveBuildLimits, formatDuration } from "./build-limits";
import { BuildError, runBuildStep, type BuildBudget } from "./build-step";
import { findBuiltSite, planApp, staticStart } from "./detect-app";
import { dirSize } from "../dir-size";
import { checkoutCommit } from "../git-checkout";
import type { RepoNetworkPolicy } from "../repo-source";

export { BuildError } from "./build-step";

export interface BuildContext {
  releaseId: string;
  releaseDir: string;
  /** Caches kept across builds: npm's, corepack's downloads, pnpm's store, yarn 1's. */
  caches: { npm: string; corepack: string; pnpmStore: string; yarn: string };
  payload: DeployPayload;
  allowLocalRepos: boolean;
  repoNetwork?: RepoNetworkPolicy;
  /** The worker's ceiling on the plan's build time (AGENT_BUILD_TIMEOUT_SECONDS), if any. */
  buildTimeoutCeilingMs?: number;
  /** The clone's own limit (AGENT_CLONE_TIMEOUT_SECONDS) and each build step's (AGENT_STEP_TIMEOUT_SECONDS). */
  cloneTimeoutMs?: number;
  stepTimeoutMs?: number;
  /** Aborted when the job is cancelled. */
  signal?: AbortSignal;
  registry: RegistrySettings;
  port: number;
  progress(percent: number, message: string): void;
  buildLog(line: string): void;
  checkedOut?(commit: { sha: string; message: string }): void;
}

/**
 * Clone, detect, install and build one commit into its own release directory, within the plan's
 * build limits. Build steps run with HOME in a private temp folder holding the npmrc made from
 * the worker's registry settings; it is removed when the build ends, so the running app (HOME
 * `home/`) never sees the registry token.
 */
export async function buildRelease(ctx: BuildContext): Promise<Release> {
  await rm(ctx.releaseDir, { recursive: true, force: true });
  const home = path.join(ctx.releaseDir, "home");
  const buildHome = path.join(ctx.releaseDir, "build-home");
  await mkdir(home, { recursive: true, mode: 0o700 });
  await mkdir(buildHome, { recursive: true, mode: 0o700 });
  try {
    return await buildInto(ctx, home, buildHome);
  } finally {
    await rm(buildHome, { recursive: true, force: true });
  }
}

async function buildInto(ctx: BuildContext, home: string, buildHome: string): Promise<Release> {
  const { payload } = ctx;
  const limits = effectiveBuildLimits(payload, ctx.buildTimeoutCeilingMs);
  const pathVar = childPath();
  const pin = cpuPinning(limits.cpu, pathVar);
  const budget: BuildBudget = {
    limits,
    deadline: Date.now() + limits.timeoutMs,
    cpuPrefix: pin.prefix,
    registry: ctx.registry.npmRegistry,
    stepTimeoutMs: ctx.stepTimeoutMs,
    signal: ctx.signal,
  };
  const time = limits.planTimeoutMs
    ? `${formatDuration(limits.timeoutMs)} (the plan allows ${formatDuration(limits.planTimeoutMs)}; this worker caps builds at ${formatDuration(limits.timeoutMs)})`
    : formatDuration(limits.timeoutMs);
  ctx.buildLog(`Build limits: memory ${limits.memoryMb} MiB, ${pin.note}, time ${time}; the app then runs with ${payload.limits.memoryMb} MiB and ${payload.limits.cpu} CPU`);

  let trust;
  try {
    trust = await buildTrust(ctx.registry, {
      npmrc: path.join(buildHome, ".npmrc"),
      yarnrc: path.join(buildHome, ".yarnrc"),
      caBundle: path.join(buildHome, "ca-bundle.pem"),
      yarnCacheFolder: ctx.caches.yarn,
    });
  } catch (err) {
    throw new BuildError(`the worker's registry settings are not usable: ${(err as Error).message}`);
  }
  await writeBuildTrustFiles(trust);
  ctx.buildLog(`Package registry: ${trust.summary}`);
  const buildEnv = buildEnvironment({ home: buildHome, npmCache: ctx.caches.npm, corepackHome: ctx.caches.corepack, pnpmStore: ctx.caches.pnpmStore, appEnv: payload.env, trust });

  ctx.progress(10, "Cloning the repository");
  const commit = await checkoutCommit({
    repoUrl: payload.repoUrl,
    branch: payload.branch,
    commitSha: payload.commitSha,
    dir: ctx.releaseDir,
    allowLocal: ctx.allowLocalRepos,
    network: ctx.repoNetwork,
    timeoutMs: Math.max(1, budget.deadline - Date.now()),
    cloneTimeoutMs: ctx.cloneTimeoutMs,
    signal: ctx.signal,
    env: buildEnv,
    onLine: ctx.buildLog,
  });
  ctx.checkedOut?.(commit);
  ctx.buildLog(`Checked out ${commit.sha.slice(0, 12)} ${commit.message.split("\n")[0] ?? ""}`);

  ctx.progress(25, "Detecting the app");
  const plan = await planApp(path.join(ctx.releaseDir, "src"), payload.buildSettings, { hasCorepack: commandOnPath("corepack", pathVar) });
  for (const note of plan.notes) ctx.buildLog(note);

  const step = async (argv: string[], cwd: string, percent: number, label: string, usesRegistry: boolean) => {
    ctx.progress(percent, label);
    ctx.buildLog(`$ ${argv.join(" ")}`);
    const { peakMb } = await runBuildStep({ argv, cwd, env: buildEnv, label, releaseDir: ctx.releaseDir, budget, buildLog: ctx.buildLog, usesRegistry });
    ctx.buildLog(`(${label.toLowerCase()}: peak memory ${peakMb} MiB of ${limits.memoryMb} MiB)`);
  };
  if (plan.install) await step(plan.install, plan.installDir ?? plan.root, 35, "Installing dependencies", true);
  // A build's own network failures (a database it calls at build time) are not the registry's.
  if (plan.build) await step(plan.build, plan.root, 55, "Building", false);

  const diskBytes = await dirSize(ctx.releaseDir);
  const diskLimit = payload.limits.diskMb * 1024 * 1024;
  if (diskBytes > diskLimit) {
    throw new BuildError(
      `the build takes ${Math.ceil(diskBytes / 1048576)} MiB, over the plan's disk limit of ${payload.limits.diskMb} MiB`,
    );
  }

  if (plan.staticFromBuild && !(await findBuiltSite(plan.root))) {
    throw new BuildError(
      'the build produced no index.html in dist/, build/, out/ or public/, and package.json has no "start" script: make the build write the site to one of them, or add a "start" script that serves the app on $PORT',
    );
  }
  const argv = plan.start ?? (await staticStart(plan.root));
  return {
    id: ctx.releaseId,
    dir: ctx.releaseDir,
    cwd: plan.root,
    argv,
    env: appEnvironment({ home, npmCache: ctx.caches.npm, appEnv: payload.env, port: ctx.port }),
    port: ctx.port,
    commitSha: commit.sha,
    commitMessage: commit.message,
    kind: plan.kind,
    diskBytes,
  };
}
