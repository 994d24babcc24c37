import { appIdInput } from "../../apps/app-access";
import {
  deleteEnvVar,
  envVarKeyInput,
  importDotenv,
  importDotenvInput,
  listEnvVars,
  revealEnvVar,
  setEnvVar,
  setEnvVarInput,
} from "../../env-vars/env-vars.service";
import { protectedProcedure, router } from "../trpc";

export const envVarsRouter = router({
  list: protectedProcedure.input(appIdInput).query(({ ctx, input }) => listEnvVars(ctx.services, ctx.actor, input)),
  reveal: protectedProcedure.input(envVarKeyInput).mutation(({ ctx, input }) => revealEnvVar(ctx.services, ctx.actor, input)),
  set: protectedProcedure.input(setEnvVarInput).mutation(({ ctx, input }) => setEnvVar(ctx.services, ctx.actor, input)),
  delete: protectedProcedure.input(envVarKeyInput).mutation(({ ctx, input }) => deleteEnvVar(ctx.services, ctx.actor, input)),
  importDotenv: protectedProcedure.input(importDotenvInput).mutation(({ ctx, input }) => importDotenv(ctx.services, ctx.actor, input)),
});
