import { z } from "zod";
import { buildSettingsSchema, HEALTH_CHECK_TIMEOUT_SECONDS } from "../../protocol/job-payload";
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

/** A file inside the root directory: relative, no '..', no option-looking parts. */
export const dockerfilePathInput = z
  .string()
  .trim()
  .max(255)
  .refine((v) => v === "" || (!v.startsWith("/") && !v.startsWith("\\") && !v.split(/[\\/]/).some((p) => p === ".." || p.startsWith("-")) && !/[\u0000-\u001f]/.test(v)), {
    message: "Dockerfile path must be a file inside the root directory, such as Dockerfile or docker/web.Dockerfile (no leading '/', no '..').",
  });

/** The Dockerfile path belongs to the Dockerfile kind; other kinds never carry one. */
export const buildSettingsInput = buildSettingsSchema
  .extend({ rootDirectory: rootDirectoryInput.default(""), dockerfilePath: dockerfilePathInput.default("") })
  .transform(({ dockerfilePath, ...rest }) => (rest.kind === "dockerfile" && dockerfilePath ? { ...rest, dockerfilePath } : rest));

/** A health-check path: starts with '/', no spaces or control characters (it goes into an HTTP request line). */
export const healthCheckPathInput = z
  .string()
  .trim()
  .min(1, "Enter a health-check path such as / or /healthz.")
  .max(1024, "The health-check path can be at most 1024 characters.")
  .refine((v) => v.startsWith("/"), { message: "The health-check path must start with '/', such as /healthz." })
  .refine((v) => !/[\s\u0000-\u001f\u007f]/.test(v), { message: "The health-check path cannot contain spaces or control characters." });

const { min, max } = HEALTH_CHECK_TIMEOUT_SECONDS;
export const healthCheckInput = z.object({
  path: healthCheckPathInput.default("/"),
  timeoutSeconds: z
    .number({ message: "Enter the health-check timeout in seconds." })
    .int("The health-check timeout must be a whole number of seconds.")
    .min(min, `The health-check timeout must be between ${min} and ${max} seconds.`)
    .max(max, `The health-check timeout must be between ${min} and ${max} seconds.`)
    .default(HEALTH_CHECK_TIMEOUT_SECONDS.default),
});
export type HealthCheckInput = z.infer<typeof healthCheckInput>;

export const appSpecInput = z.object({
  repoUrl: repoUrlInput,
  branch: branchInput.default("main"),
  buildSettings: buildSettingsInput.default({ kind: "auto", installCommand: "", buildCommand: "", startCommand: "", rootDirectory: "" }),
  internalPort: internalPortInput.default(8080),
  healthCheck: healthCheckInput.default({ path: "/", timeoutSeconds: HEALTH_CHECK_TIMEOUT_SECONDS.default }),
});

export const appSpecPatchInput = z.object({
  repoUrl: repoUrlInput.optional(),
  branch: branchInput.optional(),
  buildSettings: buildSettingsInput.optional(),
  internalPort: internalPortInput.optional(),
  healthCheck: healthCheckInput.optional(),
});
export type AppSpecPatch = z.infer<typeof appSpecPatchInput>;
