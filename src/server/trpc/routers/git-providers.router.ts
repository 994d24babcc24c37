import { z } from "zod";
import { listConnections, listProviderBranches, listProviderRepos, revokeConnection } from "../../git/git-connections.service";
import { GIT_PROVIDERS } from "../../git/providers/provider-types";
import { protectedProcedure, router } from "../trpc";
import { actorFromContext } from "./actor-from-context";

const provider = z.object({ provider: z.enum(GIT_PROVIDERS) });

/** Connecting happens through /api/git/connect/<provider> (a browser redirect), not here. */
export const gitProvidersRouter = router({
  list: protectedProcedure.query(({ ctx }) => listConnections(ctx.services, actorFromContext(ctx))),
  revoke: protectedProcedure.input(provider).mutation(({ ctx, input }) => revokeConnection(ctx.services, actorFromContext(ctx), input.provider)),
  repos: protectedProcedure.input(provider).query(({ ctx, input }) => listProviderRepos(ctx.services, actorFromContext(ctx), input.provider)),
  branches: protectedProcedure
    .input(provider.extend({ repo: z.string().max(300) }))
    .query(({ ctx, input }) => listProviderBranches(ctx.services, actorFromContext(ctx), input.provider, input.repo)),
});
