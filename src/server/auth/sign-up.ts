import { z } from "zod";
import { conflict, validation } from "../errors/domain-errors";
import { Prisma } from "../db/client";
import { enforceLimits } from "../rate-limit/enforce-limits";
import type { AccountDeps } from "./account-deps";
import { signUpLimits } from "./auth-limits";
import type { ClientInfo } from "./client-context";
import { completeSignIn, type SignedIn } from "./complete-sign-in";
import { roleForNewUser } from "./first-user-role";
import { hashSecret } from "./password-hash";
import { emailSchema, passwordProblem, passwordSchema } from "./password-policy";

export const signUpInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().max(100, "Use at most 100 characters for your name.").default(""),
});
/** What the procedure accepts: loose, so malformed attempts count toward the rate limit before validation. */
export const signUpRequest = z.object({ email: z.unknown(), password: z.unknown(), name: z.unknown().optional() });

/** Creates an email/password account and signs it in. The first account is the platform admin. */
export async function signUp(deps: AccountDeps, request: z.infer<typeof signUpRequest> & { client: ClientInfo }): Promise<SignedIn> {
  const { client, ...raw } = request;
  await enforceLimits(deps.limiter, signUpLimits(client.ip));
  const input = signUpInput.parse(raw);
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw validation(problem, { field: "password" });
  const passwordHash = await hashSecret(input.password);
  const now = deps.now();
  let user: { id: number; email: string };
  try {
    user = await deps.db.$transaction(async (tx) => {
      const role = await roleForNewUser(tx, input.email, deps.config.adminEmails);
      return tx.user.create({
        data: { email: input.email, name: input.name, passwordHash, passwordChangedAt: now, role },
        select: { id: true, email: true },
      });
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw conflict("An account with this email already exists. Sign in instead, or reset your password.");
    }
    throw err;
  }
  return completeSignIn(deps, { user, twoFactor: false, provider: "signup", client });
}
