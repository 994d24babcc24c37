import { z } from "zod";
import { recordAuditEvent } from "../audit/record-audit-event";
import { conflict, DomainError, notFound, validation } from "../errors/domain-errors";
import { assertSafeRepoUrl } from "../git/repo-url";
import { assertRepoReachable } from "../git/repo-reachability";
import type { Services } from "../runtime/services";
import type { Actor } from "../auth/actor";
import type { Tx } from "./app-access";
import { appSpecInput } from "./app-spec";
import { enqueueDeployment } from "./deployments/enqueue-deployment";
import { envEntryInput, writeEnvVars } from "../env-vars/write-env-vars";
import { parseDotenv } from "../env-vars/parse-dotenv";
import { requestAssignment } from "../jobs/request-assignment";
import { appNameProblem, generateAppName, newAppUuid } from "./naming";
import { publishAppChanged } from "./publish-app-changed";
import { uniqueViolation } from "./unique-violation";

export const createAppInput = appSpecInput.extend({
  /** Empty or absent: a generated adjective-noun-NNNN name. */
  name: z.string().trim().max(64).optional(),
  env: z.array(envEntryInput).max(500).default([]),
  /** Pasted `.env` text, merged with `env`; any bad line refuses the whole create. */
  envText: z.string().max(512 * 1024).optional(),
  /** Create and deploy in one transaction. */
  deploy: z.boolean().default(false),
});
export type CreateAppInput = z.input<typeof createAppInput>;

const GENERATED_NAME_ATTEMPTS = 8;

/**
 * Creates an app (and optionally its first deployment) in one transaction. The user row is locked
 * first, so two concurrent creates cannot both pass the plan's app limit.
 */
export async function createApp(
  deps: Pick<Services, "db" | "config" | "plans" | "cipher" | "queue" | "log" | "bus">,
  actor: Pick<Actor, "userId" | "team" | "email" | "plan" | "audit">,
  raw: CreateAppInput,
) {
  const input = createAppInput.parse(raw);
  const repoUrl = await assertSafeRepoUrl(input.repoUrl, { allowLocal: deps.config.LOCAL_REPOS_ENABLED, allowCidrs: deps.config.REPO_ALLOW_CIDRS });
  const chosen = input.name ? input.name : null;
  if (chosen) {
    const problem = appNameProblem(chosen);
    if (problem) throw validation(problem, { field: "name" });
  }
  // Before anything is written: an unreachable repository must not take a plan's app slot.
  if (deps.config.REPO_CHECK_ENABLED) {
    await assertRepoReachable(repoUrl, input.branch, {
      allowLocal: deps.config.LOCAL_REPOS_ENABLED,
      allowCidrs: deps.config.REPO_ALLOW_CIDRS,
      timeoutMs: deps.config.REPO_CHECK_TIMEOUT_SECONDS * 1000,
    });
  }
  const plan = deps.plans.for(actor.plan);
  const env = [...input.env];
  if (input.envText) {
    const parsed = parseDotenv(input.envText);
    if (parsed.errors.length > 0) {
      throw validation(`The pasted environment has ${parsed.errors.length} bad line${parsed.errors.length === 1 ? "" : "s"}; fix them and try again.`, {
        field: "envText",
        envErrors: parsed.errors,
      });
    }
    env.push(...parsed.entries);
  }

  for (let attempt = 0; ; attempt++) {
    const name = chosen ?? generateAppName();
    try {
      const result = await deps.db.$transaction(async (tx: Tx) => {
        // The team row serialises concurrent creates, so two cannot both take the plan's last slot;
        // the membership join refuses a caller removed since the request began.
        const team = await tx.$queryRaw<{ id: number }[]>`
          SELECT t.id FROM teams t JOIN team_members m ON m.team_id = t.id AND m.user_id = ${actor.userId}
           WHERE t.id = ${actor.team.id} AND t.deleted_at IS NULL FOR UPDATE OF t`;
        if (team.length === 0) throw notFound("Team");
        if (plan.maxApps > 0) {
          const count = await tx.app.count({ where: { teamId: actor.team.id, deletedAt: null } });
          if (count >= plan.maxApps) {
            throw new DomainError(
              "LIMIT_REACHED",
              `Your ${plan.name} plan allows ${plan.maxApps} app${plan.maxApps === 1 ? "" : "s"} and you have ${count}. Delete an app or upgrade your plan.`,
              { plan: plan.id, maxApps: plan.maxApps },
            );
          }
        }
        const app = await tx.app.create({
          data: {
            uuid: newAppUuid(),
            userId: actor.userId,
            teamId: actor.team.id,
            name,
            subdomain: name,
            plan: plan.id,
            repoUrl,
            branch: input.branch,
            buildSettings: input.buildSettings,
            internalPort: input.internalPort,
            healthCheckPath: input.healthCheck.path,
            healthCheckTimeoutSeconds: input.healthCheck.timeoutSeconds,
            status: "pending",
          },
        });
        await writeEnvVars(tx, deps.cipher, app.id, env);
        const deployment = input.deploy
          ? await enqueueDeployment(tx, deps, { app, plan, actor, trigger: "manual" })
          : null;
        return { app: deployment ? { ...app, status: "deploying" as const } : app, deployment };
      });
      await recordAuditEvent(deps.db, {
        userId: actor.userId,
        kind: "app_create",
        context: actor.audit,
        targetType: "app",
        targetId: result.app.id,
        metadata: { name: result.app.name, repoUrl },
      });
      if (result.deployment) {
        await recordAuditEvent(deps.db, {
          userId: actor.userId,
          kind: "app_deploy",
          context: actor.audit,
          targetType: "deployment",
          targetId: result.deployment.id,
          metadata: { appId: result.app.id },
        });
        await requestAssignment(deps);
      }
      await publishAppChanged(deps, result.app);
      return result;
    } catch (err) {
      const unique = uniqueViolation(err);
      if (!unique) throw err;
      if (chosen) throw conflict(`The name "${chosen}" is already taken. Choose another name or leave it empty to get a generated one.`);
      if (attempt + 1 >= GENERATED_NAME_ATTEMPTS) throw conflict("Could not find a free generated name; enter a name yourself.");
    }
  }
}
