import { z } from "zod";
import { accountDeps } from "../../auth/account-deps";
import { beginTotpSetup, disableTotp, enableTotp, regenerateBackupCodes, totpStatus } from "../../two-factor/manage-totp";
import type { TrpcContext } from "../context";
import { protectedProcedure, router } from "../trpc";

type Signed = TrpcContext & { user: NonNullable<TrpcContext["user"]>; session: NonNullable<TrpcContext["session"]> };
const caller = (ctx: Signed) => ({ userId: ctx.user.id, session: ctx.session });
const client = (ctx: TrpcContext) => ({ ip: ctx.request.ip, userAgent: ctx.request.userAgent });
// The code is validated by the service after the attempt is counted toward the rate limit.
const codeInput = z.object({ code: z.unknown() });

export const twoFactorRouter = router({
  status: protectedProcedure.query(({ ctx }) => totpStatus(accountDeps(ctx.services), ctx.user.id)),
  beginSetup: protectedProcedure.mutation(({ ctx }) => beginTotpSetup(accountDeps(ctx.services), ctx.user.id)),
  enable: protectedProcedure.input(codeInput).mutation(({ ctx, input }) => enableTotp(accountDeps(ctx.services), caller(ctx), input.code, client(ctx))),
  disable: protectedProcedure.input(codeInput).mutation(async ({ ctx, input }) => {
    await disableTotp(accountDeps(ctx.services), caller(ctx), input.code, client(ctx));
    return { enabled: false };
  }),
  regenerateBackupCodes: protectedProcedure.mutation(({ ctx }) => regenerateBackupCodes(accountDeps(ctx.services), caller(ctx), client(ctx))),
});
