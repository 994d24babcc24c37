import { z } from "zod";
import { accountDeps } from "../../auth/account-deps";
import { reauthenticate, reauthInput } from "../../auth/reauth";
import { signInWithPassword } from "../../auth/sign-in-password";
import { signOut } from "../../auth/sign-out";
import { signUp } from "../../auth/sign-up";
import { inSudoMode } from "../../auth/require-sudo";
import { completeTwoFactorChallenge } from "../../two-factor/complete-challenge";
import { findPendingChallenge, pendingClearCookie, readPendingToken } from "../../two-factor/pending-challenge";
import type { TrpcContext } from "../context";
import { protectedProcedure, publicProcedure, router } from "../trpc";

const client = (ctx: TrpcContext) => ({ ip: ctx.request.ip, userAgent: ctx.request.userAgent });
const cookieHeader = (ctx: TrpcContext) => ctx.request.headers.get("cookie");

// Inputs are loose objects here; the services validate (after counting the attempt toward the
// rate limit) and answer with messages that say what to fix.
const credentials = z.object({ email: z.unknown(), password: z.unknown() });

export const authRouter = router({
  /** The signed-in user, or null. */
  me: publicProcedure.query(({ ctx }) => {
    if (!ctx.user || !ctx.session) return null;
    return { ...ctx.user, twoFactor: ctx.session.twoFactor, sudo: inSudoMode(ctx.session, new Date()) };
  }),

  signUp: publicProcedure
    .input(z.object({ email: z.unknown(), password: z.unknown(), name: z.unknown().optional() }))
    .mutation(async ({ ctx, input }) => {
      const result = await signUp(accountDeps(ctx.services), input, client(ctx));
      ctx.responseHeaders.append("set-cookie", result.setCookie);
      return { status: result.status };
    }),

  signIn: publicProcedure.input(credentials).mutation(async ({ ctx, input }) => {
    const result = await signInWithPassword(accountDeps(ctx.services), input, client(ctx));
    ctx.responseHeaders.append("set-cookie", result.setCookie);
    return { status: result.status };
  }),

  /** Whether a 2FA challenge is waiting (the challenge page uses it to send stale visitors back). */
  pendingChallenge: publicProcedure.query(async ({ ctx }) => {
    const challenge = await findPendingChallenge(accountDeps(ctx.services), readPendingToken(cookieHeader(ctx)));
    return { pending: challenge !== null };
  }),

  completeTwoFactor: publicProcedure.input(z.object({ code: z.unknown() })).mutation(async ({ ctx, input }) => {
    const deps = accountDeps(ctx.services);
    const result = await completeTwoFactorChallenge(deps, readPendingToken(cookieHeader(ctx)), input.code, client(ctx));
    ctx.responseHeaders.append("set-cookie", pendingClearCookie(ctx.services.config));
    ctx.responseHeaders.append("set-cookie", result.setCookie);
    return { status: result.status };
  }),

  signOut: publicProcedure.mutation(async ({ ctx }) => {
    ctx.responseHeaders.append("set-cookie", await signOut(accountDeps(ctx.services), cookieHeader(ctx), client(ctx)));
    return { status: "signed_out" as const };
  }),

  /** Sudo mode: password or TOTP re-check; rotates the session token. */
  reauth: protectedProcedure.input(z.object({ password: z.string().max(1000).optional(), code: z.unknown().optional() })).mutation(async ({ ctx, input }) => {
    const raw = input.password !== undefined ? { password: input.password } : { code: input.code };
    const result = await reauthenticate(
      accountDeps(ctx.services),
      { userId: ctx.user.id, sessionId: ctx.session.id, twoFactor: ctx.session.twoFactor },
      reauthInput.parse(raw),
      client(ctx),
    );
    ctx.responseHeaders.append("set-cookie", result.setCookie);
    return { status: "confirmed" as const };
  }),
});
