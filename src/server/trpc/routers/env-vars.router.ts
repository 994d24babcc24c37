import { z } from "zod";
import { deleteEnvVar, importDotenv, listEnvVars, revealEnvVar, setEnvVar, setEnvVarInput } from "../../env-vars/env-vars.service";
import { protectedProcedure, router } from "../trpc";
import { actorFromContext } from "./actor-from-context";

const appId = z.object({ appId: z.number().int().positive() });
const keyName = z.string().min(1).max(200);

export const envVarsRouter = router({
  list: protectedProcedure.input(appId).query(({ ctx, input }) => listEnvVars(ctx.services, actorFromContext(ctx), input.appId)),
  reveal: protectedProcedure
    .input(appId.extend({ key: keyName }))
    .mutation(({ ctx, input }) => revealEnvVar(ctx.services, actorFromContext(ctx), input.appId, input.key)),
  set: protectedProcedure.input(setEnvVarInput).mutation(({ ctx, input }) => setEnvVar(ctx.services, actorFromContext(ctx), input)),
  delete: protectedProcedure
    .input(appId.extend({ key: keyName }))
    .mutation(({ ctx, input }) => deleteEnvVar(ctx.services, actorFromContext(ctx), input.appId, input.key)),
  importDotenv: protectedProcedure
    .input(appId.extend({ text: z.string().max(1024 * 1024) }))
    .mutation(({ ctx, input }) => importDotenv(ctx.services, actorFromContext(ctx), input.appId, input.text)),
});
