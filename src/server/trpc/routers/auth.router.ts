import { currentUser } from "../../auth/current-user";
import { reauthenticate, reauthRequest } from "../../auth/reauth";
import { signInRequest, signInWithPassword } from "../../auth/sign-in-password";
import { signOut } from "../../auth/sign-out";
import { signUp, signUpRequest } from "../../auth/sign-up";
import { secondFactorCodeRequest } from "../../two-factor/check-second-factor";
import { completeTwoFactorChallenge } from "../../two-factor/complete-challenge";
import { pendingChallengeStatus, pendingClearCookie, readPendingToken } from "../../two-factor/pending-challenge";
import type { TrpcContext } from "../context";
import { protectedProcedure, publicProcedure, router } from "../trpc";
import { sendCookies } from "./send-cookies";

const pendingToken = (ctx: TrpcContext) => readPendingToken(ctx.services.config, ctx.request.headers.get("cookie"));

export const authRouter = router({
  /** The signed-in user, or null. */
  me: publicProcedure.query(({ ctx }) => currentUser(ctx.services, ctx)),

  /** The same answer whether or not the address is taken; sets no cookie (sign in next). */
  signUp: publicProcedure.input(signUpRequest).mutation(({ ctx, input }) => signUp(ctx.services, { ...input, client: ctx.client })),

  signIn: publicProcedure
    .input(signInRequest)
    .mutation(async ({ ctx, input }) => sendCookies(ctx, await signInWithPassword(ctx.services, { ...input, client: ctx.client }))),

  /** Whether a 2FA challenge is waiting (the challenge page uses it to send stale visitors back). */
  pendingChallenge: publicProcedure.query(({ ctx }) => pendingChallengeStatus(ctx.services, { pendingToken: pendingToken(ctx) })),

  completeTwoFactor: publicProcedure.input(secondFactorCodeRequest).mutation(async ({ ctx, input }) =>
    sendCookies(
      ctx,
      await completeTwoFactorChallenge(ctx.services, { pendingToken: pendingToken(ctx), code: input.code, client: ctx.client }),
      pendingClearCookie(ctx.services.config),
    ),
  ),

  signOut: publicProcedure.mutation(async ({ ctx }) => {
    const setCookie = await signOut(ctx.services, { cookieHeader: ctx.request.headers.get("cookie"), client: ctx.client });
    return sendCookies(ctx, { status: "signed_out" as const, setCookie });
  }),

  /** Sudo mode: password or TOTP re-check; rotates the session token. */
  reauth: protectedProcedure.input(reauthRequest).mutation(async ({ ctx, input }) => {
    const { setCookie } = await reauthenticate(ctx.services, ctx.actor, input);
    return sendCookies(ctx, { status: "confirmed" as const, setCookie });
  }),
});
