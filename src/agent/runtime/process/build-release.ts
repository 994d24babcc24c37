import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { DeployPayload } from "../../../protocol/job-payload";
import type { Release } from "./app-store";
import { appEnvironment } from "./build-env";
import { planApp, staticStart } from "./detect-app";
import { dirSize } from "../dir-size";
import { checkoutCommit } from "../git-checkout";
import { recordBuildProcess } from "./build-process-marker";
import { runCommand } from "../run-command";

export interface BuildContext {
  releaseId: string;
  releaseDir: string;
  npmCache: string;
  payload: DeployPayload;
  allowLocalRepos: boolean;
  buildTimeoutMs: number;
  port: number;
  progress(percent: number, message: string): void;
  buildLog(line: string): void;
}

/** A failure whose message is meant for the app's owner. */
export class BuildError extends Error {
  override name = "BuildError";
}

/** Clone, detect, install and build one commit into its own release directory. */
export async function buildRelease(ctx: BuildContext): Promise<Release> {
  const { payload } = ctx;
  await rm(ctx.releaseDir, { recursive: true, force: true });
  const home = path.join(ctx.releaseDir, "home");
  await mkdir(home, { recursive: true, mode: 0o700 });
  const buildEnv = appEnvironment({ home, npmCache: ctx.npmCache, appEnv: payload.env });

  ctx.progress(10, "Cloning the repository");
  const commit = await checkoutCommit({
    repoUrl: payload.repoUrl,
    branch: payload.branch,
    commitSha: payload.commitSha,
    dir: ctx.releaseDir,
    allowLocal: ctx.allowLocalRepos,
    timeoutMs: ctx.buildTimeoutMs,
    env: buildEnv,
    onLine: ctx.buildLog,
  });
  ctx.buildLog(`Checked out ${commit.sha.slice(0, 12)} ${commit.message.split("\n")[0] ?? ""}`);

  ctx.progress(25, "Detecting the app");
  const plan = await planApp(path.join(ctx.releaseDir, "src"), payload.buildSettings);
  for (const note of plan.notes) ctx.buildLog(note);

  const step = async (argv: string[], percent: number, label: string) => {
    ctx.progress(percent, label);
    ctx.buildLog(`$ ${argv.join(" ")}`);
    const result = await runCommand({
      argv,
      cwd: plan.root,
      env: buildEnv,
      timeoutMs: ctx.buildTimeoutMs,
      onLine: (_stream, line) => ctx.buildLog(line),
      onSpawn: (pid) => void recordBuildProcess(ctx.releaseDir, pid),
    });
    if (result.spawnError) throw new BuildError(`${label}: could not run ${argv[0]} (${result.spawnError})`);
    if (result.timedOut) throw new BuildError(`${label}: \`${argv.join(" ")}\` timed out after ${Math.round(ctx.buildTimeoutMs / 1000)} s`);
    if (result.code !== 0) {
      throw new BuildError(`${label}: \`${argv.join(" ")}\` failed with ${result.signal ? `signal ${result.signal}` : `exit code ${result.code}`}`);
    }
  };
  if (plan.install) await step(plan.install, 35, "Installing dependencies");
  if (plan.build) await step(plan.build, 55, "Building");

  const diskBytes = await dirSize(ctx.releaseDir);
  const diskLimit = payload.limits.diskMb * 1024 * 1024;
  if (diskBytes > diskLimit) {
    throw new BuildError(
      `the build takes ${Math.ceil(diskBytes / 1048576)} MiB, over the plan's disk limit of ${payload.limits.diskMb} MiB`,
    );
  }

  const argv = plan.start ?? (await staticStart(plan.root));
  return {
    id: ctx.releaseId,
    dir: ctx.releaseDir,
    cwd: plan.root,
    argv,
    env: appEnvironment({ home, npmCache: ctx.npmCache, appEnv: payload.env, port: ctx.port }),
    port: ctx.port,
    commitSha: commit.sha,
    commitMessage: commit.message,
    kind: plan.kind,
    diskBytes,
  };
}
