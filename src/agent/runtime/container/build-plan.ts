import { access, realpath } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { buildSettingsSchema } from "../../../protocol/job-payload";
import { planApp, resolveRoot, type AppPlan } from "../process/detect-app";
import { SourceValidationError } from "../repo-source";

/**
 * Build settings of a container build: the job payload's settings (src/protocol/job-payload.ts)
 * plus the kind "dockerfile" and a Dockerfile path, which the container runtime adds.
 */
export const containerBuildSettingsSchema = buildSettingsSchema.extend({
  kind: z.enum(["auto", "node", "static", "dockerfile"]).default("auto"),
  /** Relative to the root directory; empty: `Containerfile`, else `Dockerfile`. */
  dockerfilePath: z.string().max(255).default(""),
});
export type ContainerBuildSettings = z.infer<typeof containerBuildSettingsSchema>;

/** What to build: the repository's own Dockerfile, or a generated Containerfile for a detected kind. */
export type ImageBuildPlan =
  | { kind: "dockerfile"; root: string; dockerfile: string; notes: string[] }
  | { kind: "node" | "static"; root: string; app: AppPlan; notes: string[] };

/** The names an app's own container build file may have, in the order Podman looks for them. */
const BUILD_FILES = ["Containerfile", "Dockerfile"];

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** A Dockerfile path setting resolved inside the root directory, as a context-relative posix path. */
async function resolveDockerfile(root: string, setting: string): Promise<string> {
  const rel = setting.trim().replace(/^\.?\/+/, "");
  if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes("..") || rel.includes("\0")) {
    throw new SourceValidationError(`Dockerfile path ${JSON.stringify(setting)} must be a path inside the root directory`);
  }
  let resolved: string;
  try {
    resolved = await realpath(path.join(root, rel));
  } catch {
    throw new SourceValidationError(`Dockerfile path ${JSON.stringify(setting)} does not exist in the root directory`);
  }
  if (!resolved.startsWith(root + path.sep)) {
    throw new SourceValidationError(`Dockerfile path ${JSON.stringify(setting)} leads outside the root directory`);
  }
  return path.relative(root, resolved).split(path.sep).join("/");
}

/**
 * Decides how to build a checkout. A Dockerfile path setting, or a `Containerfile`/`Dockerfile` in
 * the root directory, means the app's own file is built as is (kind auto or dockerfile); otherwise
 * the Node/static detection of the process runtime (detect-app.ts) plans the steps.
 */
export async function planImageBuild(
  checkout: string,
  settings: ContainerBuildSettings,
  /** The base image's Node, which engines.node is checked against (undefined: the agent's own). */
  options: { nodeVersion?: string } = {},
): Promise<ImageBuildPlan> {
  const root = await resolveRoot(checkout, settings.rootDirectory);
  if (settings.kind === "auto" || settings.kind === "dockerfile") {
    if (settings.dockerfilePath.trim()) {
      const dockerfile = await resolveDockerfile(root, settings.dockerfilePath);
      return { kind: "dockerfile", root, dockerfile, notes: [`building the repository's ${dockerfile} as is`] };
    }
    for (const name of BUILD_FILES) {
      if (await exists(path.join(root, name))) {
        const dockerfile = await resolveDockerfile(root, name);
        return { kind: "dockerfile", root, dockerfile, notes: [`found ${name}: building it as is`] };
      }
    }
    if (settings.kind === "dockerfile") {
      throw new SourceValidationError(
        "the build kind is Dockerfile but the root directory has no Containerfile or Dockerfile: add one or set the Dockerfile path",
      );
    }
  }
  const kind = settings.kind === "node" || settings.kind === "static" ? settings.kind : "auto";
  const app = await planApp(checkout, { ...settings, kind }, options.nodeVersion ? { nodeVersion: options.nodeVersion } : {});
  return { kind: app.kind, root: app.root, app, notes: app.notes };
}
