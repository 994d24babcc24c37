import { secondFactorCodeRequest } from "../../two-factor/check-second-factor";
import { beginTotpSetup, disableTotp, enableTotp, regenerateBackupCodes, totpStatus } from "../../two-factor/manage-totp";
import { protectedProcedure, router } from "../trpc";

export const twoFactorRouter = router({
  status: protectedProcedure.query(({ ctx }) => totpStatus(ctx.services, ctx.actor)),
  beginSetup: protectedProcedure.mutation(({ ctx }) => beginTotpSetup(ctx.services, ctx.actor)),
  enable: protectedProcedure.input(secondFactorCodeRequest).mutation(({ ctx, input }) => enableTotp(ctx.services, ctx.actor, input)),
  disable: protectedProcedure.input(secondFactorCodeRequest).mutation(({ ctx, input }) => disableTotp(ctx.services, ctx.actor, input)),
  regenerateBackupCodes: protectedProcedure.mutation(({ ctx }) => regenerateBackupCodes(ctx.services, ctx.actor)),
});
