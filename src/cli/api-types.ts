import { z } from "zod";

/*
 * The shapes the CLI reads from /api/v1 (docs/api.md). Loose objects: the server may add fields
 * without breaking an older CLI, but a field the CLI relies on must be there and well typed.
 */

const id = z.union([z.number(), z.string()]);
const date = z.string().nullish();

/** The API's error body; its codes are upper-case (UNAUTHORIZED…), which other servers' bodies are not. */
export const errorBodySchema = z.object({
  error: z.looseObject({ code: z.string().regex(/^[A-Z][A-Z_]*$/), message: z.string(), issues: z.array(z.looseObject({ path: z.string(), message: z.string() })).optional() }),
});

export const meSchema = z.looseObject({
  user: z.looseObject({ id, email: z.string(), name: z.string().nullish() }),
  team: z.looseObject({ id, name: z.string(), personal: z.boolean().optional() }),
  role: z.string(),
  scopes: z.array(z.string()),
  tokenExpiresAt: date,
});
export type Me = z.infer<typeof meSchema>;

export const teamSchema = z.looseObject({ id, name: z.string(), personal: z.boolean().optional(), role: z.string().nullish() });
export const teamsSchema = z.looseObject({ teams: z.array(teamSchema) });

export const deploymentSchema = z.looseObject({
  id,
  number: z.number(),
  status: z.string(),
  progress: z.number().nullish(),
  commitSha: z.string().nullish(),
  commitMessage: z.string().nullish(),
  trigger: z.string().nullish(),
  createdAt: date,
  finishedAt: date,
  error: z.string().nullish(),
});
export type Deployment = z.infer<typeof deploymentSchema>;

export const appSchema = z.looseObject({
  id,
  name: z.string(),
  status: z.string(),
  url: z.string().nullish(),
  createdAt: date,
  /** The deployment the app runs now. */
  currentDeployment: deploymentSchema.nullish(),
  /** The newest deployment, finished or not (GET /apps/{app} only). */
  latestDeployment: deploymentSchema.nullish(),
});
export type App = z.infer<typeof appSchema>;

export const appsSchema = z.looseObject({ apps: z.array(appSchema) });
export const appBodySchema = z.looseObject({ app: appSchema });
export const deploymentBodySchema = z.looseObject({ deployment: deploymentSchema });
export const deploymentsSchema = z.looseObject({ deployments: z.array(deploymentSchema) });
export const okSchema = z.looseObject({ ok: z.boolean() });

export const logLineSchema = z.looseObject({ at: z.string().nullish(), stream: z.string().nullish(), line: z.string() });
export type LogLine = z.infer<typeof logLineSchema>;
export const logLinesSchema = z.looseObject({ lines: z.array(logLineSchema), done: z.boolean().optional() });
export const logEndSchema = z.looseObject({ status: z.string() });

export const envVarsSchema = z.looseObject({ vars: z.array(z.looseObject({ key: z.string(), value: z.string().nullish() })) });
export const envPutSchema = z.looseObject({ ok: z.boolean(), redeployNeeded: z.boolean().optional() });

/** Deployment statuses after which nothing changes (prisma/schema.prisma DeploymentStatus). */
export const FINISHED_DEPLOYMENT_STATUSES = ["succeeded", "failed", "cancelled"] as const;
export const isFinished = (status: string) => (FINISHED_DEPLOYMENT_STATUSES as readonly string[]).includes(status);
