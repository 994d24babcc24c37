import { accountOverview, changePassword, changePasswordRequest } from "../../auth/change-credentials";
import { cancelEmailChange, changeEmailRequest, requestEmailChange } from "../../auth/email-change";
import { resendVerification } from "../../auth/email-verification";
import { protectedProcedure, router } from "../trpc";

export const accountRouter = router({
  /** Sign-in methods, email confirmation and whether sudo mode is active, for the Security page. */
  overview: protectedProcedure.query(({ ctx }) => accountOverview(ctx.services, ctx.actor)),
  changePassword: protectedProcedure.input(changePasswordRequest).mutation(({ ctx, input }) => changePassword(ctx.services, ctx.actor, input)),
  /** Sudo; applies only when the link mailed to the new address is used. */
  changeEmail: protectedProcedure.input(changeEmailRequest).mutation(({ ctx, input }) => requestEmailChange(ctx.services, ctx.actor, input)),
  cancelEmailChange: protectedProcedure.mutation(({ ctx }) => cancelEmailChange(ctx.services, ctx.actor)),
  resendVerification: protectedProcedure.mutation(({ ctx }) => resendVerification(ctx.services, ctx.actor)),
});
