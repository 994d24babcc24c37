import { listConnections, listProviderBranches, listProviderRepos, providerBranchesInput, providerInput, revokeConnection } from "../../git/git-connections.service";
import { protectedProcedure, router } from "../trpc";

/** Connecting happens through /api/git/connect/<provider> (a browser redirect), not here. */
export const gitProvidersRouter = router({
  list: protectedProcedure.query(({ ctx }) => listConnections(ctx.services, ctx.actor)),
  revoke: protectedProcedure.input(providerInput).mutation(({ ctx, input }) => revokeConnection(ctx.services, ctx.actor, input)),
  repos: protectedProcedure.input(providerInput).query(({ ctx, input }) => listProviderRepos(ctx.services, ctx.actor, input)),
  branches: protectedProcedure.input(providerBranchesInput).query(({ ctx, input }) => listProviderBranches(ctx.services, ctx.actor, input)),
});
