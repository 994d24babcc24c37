import { z } from "zod";
import { accountDeps } from "../../auth/account-deps";
import { accountOverview, changeEmail, changePassword } from "../../auth/change-credentials";
import { inSudoMode } from "../../auth/require-sudo";
import { oidcEnabled } from "../../auth/oidc/oidc-configuration";
import { protectedProcedure, router } from "../trpc";

const client = (ctx: { request: { ip: string; userAgent: string } }) => ({ ip: ctx.request.ip, userAgent: ctx.request.userAgent });

export const accountRouter = router({
  /** Sign-in methods and whether sudo mode is active, for the Security page. */
  overview: protectedProcedure.query(async ({ ctx }) => ({
    ...(await accountOverview({ db: ctx.services.db }, ctx.user.id)),
    sudo: inSudoMode(ctx.session, new Date()),
    googleAvailable: oidcEnabled(ctx.services.config),
  })),
  changePassword: protectedProcedure.input(z.object({ newPassword: z.unknown() })).mutation(({ ctx, input }) =>
    changePassword(accountDeps(ctx.services), { userId: ctx.user.id, session: ctx.session }, input, client(ctx)),
  ),
  changeEmail: protectedProcedure.input(z.object({ email: z.unknown() })).mutation(({ ctx, input }) =>
    changeEmail(accountDeps(ctx.services), { userId: ctx.user.id, session: ctx.session }, input, client(ctx)),
  ),
});
