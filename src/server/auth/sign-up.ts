import { z } from "zod";
import { recordAuditEvent } from "../audit/record-audit-event";
import { validation } from "../errors/domain-errors";
import { Prisma } from "../db/client";
import { enforceLimits } from "../rate-limit/enforce-limits";
import type { AccountDeps } from "./account-deps";
import { signUpLimits } from "./auth-limits";
import { auditContext, type ClientInfo } from "./client-context";
import { notifyTakenAddress, sendVerificationEmail } from "./email-verification";
import { hashSecret } from "./password-hash";
import { emailSchema, passwordProblem, passwordSchema } from "./password-policy";

export const signUpInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().max(100, "Use at most 100 characters for your name.").default(""),
});
/** What the procedure accepts: loose, so malformed attempts count toward the rate limit before validation. */
export const signUpRequest = z.object({ email: z.unknown(), password: z.unknown(), name: z.unknown().optional() });

/** The one answer sign-up gives, whether or not the address already has an account. */
export interface SignUpAnswer {
  status: "check_email";
}
const CHECK_EMAIL: SignUpAnswer = { status: "check_email" };

/**
 * Creates an email/password account (role user, address unverified) and mails it a verification
 * link. An address that already has an account gets the same answer, and its owner a mail, so
 * the page never tells whether an address is registered. No session is created here: the new
 * account signs in with its password like any other (unverified accounts may use the dashboard;
 * they only never become admin through ADMIN_EMAILS, see admin-by-email.ts).
 */
export async function signUp(deps: AccountDeps, request: z.infer<typeof signUpRequest> & { client: ClientInfo }): Promise<SignUpAnswer> {
  const { client, ...raw } = request;
  await enforceLimits(deps.limiter, signUpLimits(client.ip));
  const input = signUpInput.parse(raw);
  // Depends only on the password and the address typed, never on whether the address is taken.
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw validation(problem, { field: "password" });
  // Hashed either way, so the time taken does not tell a taken address from a new one.
  const passwordHash = await hashSecret(input.password);
  const now = deps.now();
  let user: { id: number; email: string };
  try {
    user = await deps.db.user.create({
      data: { email: input.email, name: input.name, passwordHash, passwordChangedAt: now, role: "user" },
      select: { id: true, email: true },
    });
  } catch (err) {
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")) throw err;
    const owner = await deps.db.user.findUnique({ where: { email: input.email }, select: { id: true, email: true } });
    if (owner) await notifyTakenAddress(deps, owner, client);
    return CHECK_EMAIL;
  }
  // The address signed up from is this user's first known one (no new-device mail for it).
  await recordAuditEvent(deps.db, { userId: user.id, kind: "signup", context: auditContext(client), metadata: { provider: "password" } });
  deps.log.info({ userId: user.id, ip: client.ip }, "account created");
  await sendVerificationEmail(deps, user).catch((err: Error) =>
    deps.log.error({ err: err.message, userId: user.id }, "could not queue the verification email; the user can send it again from Security"),
  );
  return CHECK_EMAIL;
}
