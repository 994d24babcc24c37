import { accountOverview, changeEmail, changeEmailRequest, changePassword, changePasswordRequest } from "../../auth/change-credentials";
import { protectedProcedure, router } from "../trpc";

export const accountRouter = router({
  /** Sign-in methods and whether sudo mode is active, for the Security page. */
  overview: protectedProcedure.query(({ ctx }) => accountOverview(ctx.services, ctx.actor)),
  changePassword: protectedProcedure.input(changePasswordRequest).mutation(({ ctx, input }) => changePassword(ctx.services, ctx.actor, input)),
  changeEmail: protectedProcedure.input(changeEmailRequest).mutation(({ ctx, input }) => changeEmail(ctx.services, ctx.actor, input)),
});
