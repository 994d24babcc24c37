import { createApiToken, listApiTokens, revokeApiToken } from "../../api-tokens/api-tokens.service";
import { createTokenInput, tokenIdInput } from "../../api-tokens/token-input";
import { protectedProcedure, router } from "../trpc";

// The caller's own API tokens (docs/api.md); creating one needs sudo mode and membership of its team.
export const apiTokensRouter = router({
  list: protectedProcedure.query(({ ctx }) => listApiTokens(ctx.services, ctx.actor)),
  create: protectedProcedure.input(createTokenInput).mutation(({ ctx, input }) => createApiToken(ctx.services, ctx.actor, input)),
  revoke: protectedProcedure.input(tokenIdInput).mutation(({ ctx, input }) => revokeApiToken(ctx.services, ctx.actor, input)),
});
