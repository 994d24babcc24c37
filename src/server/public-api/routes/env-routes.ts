import { z } from "zod";
import { scopesAllow } from "../../api-tokens/scopes";
import { envKeyInput, envValueInput } from "../../env-vars/env-var-rules";
import { roleAllows } from "../../teams/roles";
import { defineRoute } from "../api-route";
import { appParam, resolveAppId } from "../app-ref";

const envVarSchema = z
  .object({
    key: z.string(),
    value: z.string().optional().meta({ description: "Only for a token with env:read whose owner's role may read secrets (developer and up)" }),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "EnvVar" });

const list = defineRoute({
  method: "GET",
  path: "/apps/{app}/env",
  operationId: "listEnv",
  summary: "The app's environment variables; values only when the role may read secrets",
  tag: "Environment",
  procedures: ["envVars.list", "envVars.reveal"],
  params: appParam,
  response: z.object({ vars: z.array(envVarSchema) }),
  async handle({ caller, services, token }, { params }) {
    const appId = await resolveAppId(services, token.actor, params.app);
    const vars = await caller.envVars.list({ appId });
    // A viewer never sees a value (docs/teams.md): only a role with env:write may reveal one.
    const withValues = scopesAllow(token.scopes, "env:read") && roleAllows(token.actor.team.role, "env:write");
    return {
      vars: await Promise.all(
        vars.map(async (v) => ({
          key: v.key,
          updatedAt: v.updatedAt.toISOString(),
          ...(withValues ? { value: (await caller.envVars.reveal({ appId, key: v.key })).value } : {}),
        })),
      ),
    };
  },
});

const set = defineRoute({
  method: "PUT",
  path: "/apps/{app}/env",
  operationId: "setEnv",
  summary: "Set (merge) environment variables; they apply on the next deploy",
  tag: "Environment",
  procedures: ["envVars.set"],
  params: appParam,
  body: z.object({ vars: z.record(envKeyInput, envValueInput).refine((v) => Object.keys(v).length > 0, "Send at least one variable: { \"vars\": { \"KEY\": \"value\" } }.") }),
  response: z.object({ ok: z.literal(true), keys: z.array(z.string()), redeployNeeded: z.literal(true) }),
  async handle({ caller, services, token }, { params, body }) {
    const appId = await resolveAppId(services, token.actor, params.app);
    const keys = Object.keys(body.vars);
    for (const key of keys) await caller.envVars.set({ appId, key, value: body.vars[key]! });
    return { ok: true as const, keys, redeployNeeded: true as const };
  },
});

const unset = defineRoute({
  method: "DELETE",
  path: "/apps/{app}/env/{key}",
  operationId: "unsetEnv",
  summary: "Delete one environment variable; applies on the next deploy",
  tag: "Environment",
  procedures: ["envVars.delete"],
  params: appParam.extend({ key: z.string().min(1).max(200) }),
  response: z.object({ ok: z.literal(true), redeployNeeded: z.literal(true) }),
  async handle({ caller, services, token }, { params }) {
    await caller.envVars.delete({ appId: await resolveAppId(services, token.actor, params.app), key: params.key });
    return { ok: true as const, redeployNeeded: true as const };
  },
});

export const envRoutes = [list, set, unset];
