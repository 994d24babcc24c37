import { z } from "zod";
import type { Actor } from "../auth/actor";
import type { Services } from "../runtime/services";
import { userAppsWhere } from "./app-access";
import { appNameProblem, generateAppName } from "./naming";
import { planSummary } from "../plans/plan-summary";

/** A fresh generated name and the plan's limits, for the new-app form. */
export async function newAppDefaults(deps: Pick<Services, "db" | "config" | "plans">, actor: Pick<Actor, "userId" | "team" | "plan">) {
  const plan = deps.plans.for(actor.plan);
  const count = await deps.db.app.count({ where: userAppsWhere(actor) });
  return {
    suggestedName: generateAppName(),
    plan: planSummary(plan),
    /** Every plan, for the "upgrade" prompt at the plan's app limit. */
    plans: deps.plans.all().map(planSummary),
    appCount: count,
    localReposEnabled: deps.config.LOCAL_REPOS_ENABLED,
    /** The launcher's local sample repository (development), offered as a one-click source. */
    sampleRepoUrl: deps.config.LOCAL_REPOS_ENABLED ? (deps.config.SAMPLE_REPO_URL ?? null) : null,
  };
}

export const checkAppNameInput = z.object({ name: z.string().max(64) });

/**
 * Whether a name can be used, for the form's live check. Names are one namespace across all
 * users (they are subdomains), so this only says "taken", never whose.
 */
export async function checkAppName(deps: Pick<Services, "db">, input: z.infer<typeof checkAppNameInput>): Promise<{ ok: boolean; message: string | null }> {
  const problem = appNameProblem(input.name);
  if (problem) return { ok: false, message: problem };
  const taken = await deps.db.app.findFirst({ where: { OR: [{ name: input.name }, { subdomain: input.name }] }, select: { id: true } });
  return taken ? { ok: false, message: `The name "${input.name}" is already taken.` } : { ok: true, message: null };
}
