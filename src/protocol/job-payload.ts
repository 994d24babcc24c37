import { z } from "zod";

/**
 * The `payload` of a `job` frame (docs/worker-protocol.md, "The `job` frame"): everything a
 * worker needs to build and run the app. Stored encrypted in jobs.payload (bound to the app) and
 * decrypted only by the hub that sends it. Shared by the control plane (which writes it) and the
 * reference agent (which reads it).
 */
export const buildSettingsSchema = z.object({
  /** auto: detect (package.json → node, index.html → static). */
  /** dockerfile: build the repository's own Dockerfile as is (container workers only). */
  kind: z.enum(["auto", "node", "static", "dockerfile"]).default("auto"),
  installCommand: z.string().max(500).default(""),
  buildCommand: z.string().max(500).default(""),
  startCommand: z.string().max(500).default(""),
  /** Relative path inside the repository. */
  rootDirectory: z.string().max(255).default(""),
  /**
   * Container workers only: the Dockerfile to build, relative to the root directory (absent or
   * empty: a `Containerfile` or `Dockerfile` there, else detection). Process workers ignore it.
   */
  dockerfilePath: z.string().max(255).optional(),
});
export type BuildSettings = z.infer<typeof buildSettingsSchema>;

/** Limits of a health-check setting; the dashboard validates against the same numbers. */
export const HEALTH_CHECK_TIMEOUT_SECONDS = { min: 1, max: 600, default: 60 } as const;

/**
 * The HTTP check a new release must pass before it gets traffic: GET `path` answering 2xx/3xx
 * within `timeoutSeconds` (capped by the worker's own start timeout).
 */
export const healthCheckSchema = z.object({
  path: z.string().max(1024).default("/"),
  timeoutSeconds: z.number().int().min(HEALTH_CHECK_TIMEOUT_SECONDS.min).max(HEALTH_CHECK_TIMEOUT_SECONDS.max).default(HEALTH_CHECK_TIMEOUT_SECONDS.default),
});
export type HealthCheck = z.infer<typeof healthCheckSchema>;

export const resourceLimitsSchema = z.object({
  cpu: z.number().positive(),
  memoryMb: z.number().int().positive(),
  pids: z.number().int().positive(),
  diskMb: z.number().int().positive(),
  /** 0 = unlimited */
  bandwidthMbit: z.number().min(0),
});
export type ResourceLimits = z.infer<typeof resourceLimitsSchema>;

/**
 * What a build may use, separate from the running app's limits: installing and building (a
 * default `next build` peaks near 700 MB) needs more than many apps need to run.
 */
export const buildLimitsSchema = z.object({
  cpu: z.number().positive(),
  memoryMb: z.number().int().positive(),
  /** The whole build: clone, install and build steps together. */
  timeoutSeconds: z.number().int().positive(),
});
export type BuildLimits = z.infer<typeof buildLimitsSchema>;

/** The build limits of a payload without `buildLimits` (sent by a control plane older than the field). */
export const DEFAULT_BUILD_LIMITS: BuildLimits = { cpu: 2, memoryMb: 2048, timeoutSeconds: 900 };

/**
 * Set on a rollback: the earlier deployment whose release the new deployment brings back, and the
 * image that deployment ran as its worker reported it (`job_result.runtime.image`; absent when it
 * never reported one, e.g. a process worker). A container worker that still holds that image
 * starts it without building; otherwise it builds `commitSha` again.
 */
export const rollbackTargetSchema = z.object({
  deploymentId: z.number().int().positive(),
  imageTag: z.string().min(1).max(512).optional(),
});
export type RollbackTarget = z.infer<typeof rollbackTargetSchema>;

export const deployPayloadSchema = z.object({
  repoUrl: z.string(),
  branch: z.string(),
  /** Empty: the branch head at build time. */
  commitSha: z.string().default(""),
  buildSettings: buildSettingsSchema,
  env: z.record(z.string(), z.string()),
  internalPort: z.number().int().min(1).max(65535),
  limits: resourceLimitsSchema,
  /** Optional for compatibility: absent means DEFAULT_BUILD_LIMITS. */
  buildLimits: buildLimitsSchema.optional(),
  /** Optional for compatibility: absent means GET / within the worker's start timeout. */
  healthCheck: healthCheckSchema.optional(),
  subdomain: z.string(),
  domains: z.array(z.string()),
  /** Only on a rollback (rollbackTargetSchema). */
  rollbackTarget: rollbackTargetSchema.optional(),
});
export type DeployPayload = z.infer<typeof deployPayloadSchema>;

/** The build limits a worker applies to a deploy. */
export function buildLimitsOf(payload: Pick<DeployPayload, "buildLimits">): BuildLimits {
  return payload.buildLimits ?? DEFAULT_BUILD_LIMITS;
}

/** The `job` frame's data (hub → worker). */
export const jobFrameSchema = z.object({
  job_id: z.number().int(),
  type: z.enum(["deploy", "restart", "start", "stop", "delete"]),
  app_id: z.number().int(),
  app_uuid: z.string(),
  app_name: z.string(),
  deployment_id: z.number().int().nullable(),
  payload: deployPayloadSchema.nullable(),
});
export type JobFrame = z.infer<typeof jobFrameSchema>;
