import { claimSetup, claimSetupRequest } from "../../auth/setup-token";
import { protectedProcedure, router } from "../trpc";

export const setupRouter = router({
  /** The signed-in caller becomes the first administrator with the installation's setup token. */
  claim: protectedProcedure.input(claimSetupRequest).mutation(({ ctx, input }) => claimSetup(ctx.services, ctx.actor, input)),
});
