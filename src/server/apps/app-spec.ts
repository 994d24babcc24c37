import { z } from "zod";
import { buildSettingsSchema } from "../../protocol/job-payload";
import { branchProblem } from "../git/git-ref";

/**
 * What an app builds and runs. The repository URL is checked against the operator's settings in
 * the service (assertValidRepoUrl), because file:// depends on configuration.
 */
export const repoUrlInput = z.string().trim().min(1, "Enter the repository's clone URL.").max(2048);
export const branchInput = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const problem = branchProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
export const internalPortInput = z
  .number()
  .int()
  .min(1, "Internal port must be between 1 and 65535.")
  .max(65535, "Internal port must be between 1 and 65535.");

/** Paths inside the repository only: no absolute paths, no '..', no option-looking parts. */
export const rootDirectoryInput = z
  .string()
  .max(255)
  .refine((v) => v === "" || (!v.startsWith("/") && !v.split("/").some((p) => p === ".." || p.startsWith("-"))), {
    message: "Root directory must be a relative path inside the repository (no leading '/', no '..').",
  });

export const buildSettingsInput = buildSettingsSchema.extend({ rootDirectory: rootDirectoryInput.default("") });

export const appSpecInput = z.object({
  repoUrl: repoUrlInput,
  branch: branchInput.default("main"),
  buildSettings: buildSettingsInput.default({ kind: "auto", installCommand: "", buildCommand: "", startCommand: "", rootDirectory: "" }),
  internalPort: internalPortInput.default(8080),
});

export const appSpecPatchInput = z.object({
  repoUrl: repoUrlInput.optional(),
  branch: branchInput.optional(),
  buildSettings: buildSettingsInput.optional(),
  internalPort: internalPortInput.optional(),
});
export type AppSpecPatch = z.infer<typeof appSpecPatchInput>;
