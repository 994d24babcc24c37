import { z } from "zod";

/** Response shapes of the public API (docs/api.md); the OpenAPI document is generated from these. */
const when = z.iso.datetime().meta({ description: "ISO 8601 time" });

export const DEPLOYMENT_STATUSES = ["pending", "building", "succeeded", "failed", "cancelled"] as const;
export const APP_STATUSES = ["pending", "deploying", "running", "stopped", "crashed", "failed", "violated", "deleted"] as const;
export const FINISHED_DEPLOYMENT = new Set<string>(["succeeded", "failed", "cancelled"]);

export const deploymentSchema = z
  .object({
    id: z.number().int(),
    number: z.number().int().meta({ description: "Per-app number, as the dashboard shows it (#3)" }),
    status: z.enum(DEPLOYMENT_STATUSES),
    trigger: z.string().nullable(),
    commitSha: z.string(),
    commitMessage: z.string(),
    branch: z.string(),
    progress: z.number().int().min(0).max(100).nullable().meta({ description: "0–100 while a job runs, 100 when finished" }),
    error: z.string().nullable(),
    createdAt: when,
    startedAt: when.nullable(),
    finishedAt: when.nullable(),
  })
  .meta({ id: "Deployment" });

export const appSummarySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    status: z.enum(APP_STATUSES),
    url: z.string().nullable(),
    repoUrl: z.string(),
    branch: z.string(),
    createdAt: when,
    currentDeployment: deploymentSchema.nullable().meta({ description: "The deployment the app runs now" }),
  })
  .meta({ id: "AppSummary" });

export const appSchema = appSummarySchema
  .extend({
    statusReason: z.string().nullable(),
    subdomain: z.string(),
    latestDeployment: deploymentSchema.nullable().meta({ description: "The newest deployment, finished or not" }),
    domains: z.array(z.object({ id: z.number().int(), hostname: z.string(), status: z.string() })),
    envCount: z.number().int(),
  })
  .meta({ id: "App" });

export const teamSchema = z.object({ id: z.number().int(), name: z.string(), personal: z.boolean(), role: z.enum(["owner", "admin", "developer", "viewer"]) }).meta({ id: "Team" });

export const meSchema = z.object({
  user: z.object({ id: z.number().int(), email: z.string(), name: z.string() }),
  team: teamSchema.omit({ role: true }),
  role: z.enum(["owner", "admin", "developer", "viewer"]),
  scopes: z.array(z.string()),
  tokenExpiresAt: when.nullable(),
});

export const logLineSchema = z
  .object({
    at: when.nullable().meta({ description: "When the line was written; null for build output, which has no per-line time" }),
    stream: z.enum(["stdout", "stderr", "build"]),
    line: z.string(),
  })
  .meta({ id: "LogLine" });

export const okSchema = z.object({ ok: z.literal(true) });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(["BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "RATE_LIMITED", "INTERNAL", "UNAVAILABLE"]),
      message: z.string().meta({ description: "What went wrong and what to do" }),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: "Error" });

/** A date as ISO 8601; one already given as an ISO string (apps.list sends them so, src/server/apps/list-apps.ts) as is. */
const iso = (d: Date | string | null | undefined) => (d ? (typeof d === "string" ? d : d.toISOString()) : null);

interface DeploymentRow {
  id: number;
  number: number;
  status: string;
  trigger?: string | null;
  commitSha: string | null;
  commitMessage?: string | null;
  branch?: string | null;
  error?: string | null;
  createdAt: Date | string;
  startedAt?: Date | string | null;
  finishedAt?: Date | string | null;
  job?: { progress: number | null } | null;
}

export function toDeployment(d: DeploymentRow): z.infer<typeof deploymentSchema> {
  const finished = FINISHED_DEPLOYMENT.has(d.status);
  return deploymentSchema.parse({
    id: d.id,
    number: d.number,
    status: d.status,
    trigger: d.trigger ?? null,
    commitSha: d.commitSha ?? "",
    commitMessage: d.commitMessage ?? "",
    branch: d.branch ?? "",
    progress: finished ? 100 : (d.job?.progress ?? null),
    error: d.error ?? null,
    createdAt: iso(d.createdAt),
    startedAt: iso(d.startedAt),
    finishedAt: iso(d.finishedAt),
  });
}

export { iso };
