import * as client from "openid-client";
import { z } from "zod";
import { recordAuditEvent } from "../../audit/record-audit-event";
import { safeEqual } from "../../crypto/api-key";
import { Prisma } from "../../db/client";
import { enforceLimits } from "../../rate-limit/enforce-limits";
import { createPendingChallenge } from "../../two-factor/pending-challenge";
import type { AccountDeps } from "../account-deps";
import { signInLimits } from "../auth-limits";
import { auditContext, type ClientInfo } from "../client-context";
import { grantAdminByVerifiedEmail } from "../admin-by-email";
import { completeSignIn } from "../complete-sign-in";
import { oidcConfiguration, oidcRedirectUri } from "./oidc-configuration";
import { readFlow } from "./oidc-flow-cookie";

export type OidcOutcome =
  | { kind: "signed_in"; setCookie: string; next: string }
  | { kind: "two_factor"; setCookie: string; next: string }
  | { kind: "linked"; next: string }
  | { kind: "error"; code: "oidc_state" | "oidc_failed" | "oidc_link_required" | "oidc_email_unverified" | "rate_limited" };

const claimsSchema = z.object({
  sub: z.string().min(1).max(255),
  email: z.string().max(254).optional(),
  email_verified: z.union([z.boolean(), z.enum(["true", "false"])]).optional(),
  name: z.string().max(200).optional(),
  picture: z.string().max(2000).optional(),
});

/**
 * Step 2, the callback: the code is exchanged with the flow cookie's PKCE verifier and checked
 * against its state and nonce (a tampered or replayed state is refused), then the account is
 * found or created by the provider's subject, which is the identity. An existing email account is only
 * linked when its owner started the flow signed in ("link" mode), proving both.
 */
export async function finishOidc(deps: AccountDeps, input: { callbackUrl: URL; cookieHeader: string | null; client: ClientInfo }): Promise<OidcOutcome> {
  const { callbackUrl, client: client_ } = input;
  const flow = await readFlow(deps.config, input.cookieHeader);
  if (!flow) return { kind: "error", code: "oidc_state" };
  // Checked here as well as by openid-client, so a forged or swapped state has its own answer.
  if (!safeEqual(callbackUrl.searchParams.get("state") ?? "", flow.state)) return { kind: "error", code: "oidc_state" };
  let claims: z.infer<typeof claimsSchema>;
  try {
    const configuration = await oidcConfiguration(deps.config);
    // Validate against our registered redirect URI, whatever host the request came through.
    const current = new URL(oidcRedirectUri(deps.config));
    current.search = callbackUrl.search;
    const tokens = await client.authorizationCodeGrant(configuration, current, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    claims = claimsSchema.parse(tokens.claims());
    if (!claims.email) {
      // Some providers keep email claims to the UserInfo endpoint; the subject must match.
      const info = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub);
      claims = claimsSchema.parse({ ...info, sub: claims.sub });
    }
  } catch (err) {
    const message = (err as Error).message ?? "";
    deps.log.warn({ err: message, code: (err as { code?: string }).code }, "OIDC callback refused");
    return { kind: "error", code: "oidc_failed" };
  }
  const email = claims.email?.trim().toLowerCase() ?? "";
  const verified = claims.email_verified === true || claims.email_verified === "true";
  try {
    await enforceLimits(deps.limiter, signInLimits(email || `sub:${claims.sub}`, client_.ip));
  } catch {
    return { kind: "error", code: "rate_limited" };
  }

  const bySubject = await deps.db.user.findUnique({ where: { googleId: claims.sub }, select: { id: true, email: true, totpEnabled: true } });

  if (flow.mode === "link") {
    if (!flow.linkUserId) return { kind: "error", code: "oidc_state" };
    if (bySubject && bySubject.id !== flow.linkUserId) return { kind: "error", code: "oidc_link_required" };
    await deps.db.user.update({ where: { id: flow.linkUserId }, data: { googleId: claims.sub } });
    await recordAuditEvent(deps.db, { userId: flow.linkUserId, kind: "provider_linked", context: auditContext(client_), metadata: { provider: "google" } });
    return { kind: "linked", next: flow.next };
  }

  let user = bySubject;
  let created = false;
  if (!user) {
    if (!email || !verified) return { kind: "error", code: "oidc_email_unverified" };
    const byEmail = await deps.db.user.findUnique({ where: { email }, select: { id: true } });
    if (byEmail) return { kind: "error", code: "oidc_link_required" };
    user = await upsertGoogleUser(deps, { sub: claims.sub, email, name: claims.name ?? "", avatar: claims.picture ?? "" });
    created = true;
  }
  if (user.totpEnabled) {
    return { kind: "two_factor", setCookie: await createPendingChallenge(deps, user.id, "google"), next: flow.next };
  }
  const signed = await completeSignIn(deps, { user, twoFactor: false, provider: created ? "signup" : "google", client: client_ });
  return { kind: "signed_in", setCookie: signed.setCookie, next: flow.next };
}

/**
 * Inserts the Google account, or on a google_id conflict refreshes name and avatar. Accounts are
 * only created for an address the provider marked verified, so it counts as proven, and
 * ADMIN_EMAILS applies to it as to any verified address (admin-by-email.ts).
 */
async function upsertGoogleUser(deps: AccountDeps, input: { sub: string; email: string; name: string; avatar: string }) {
  try {
    const user = await deps.db.user.upsert({
      where: { googleId: input.sub },
      create: { googleId: input.sub, email: input.email, name: input.name.slice(0, 100), avatarUrl: input.avatar, role: "user", emailVerifiedAt: deps.now() },
      update: { name: input.name.slice(0, 100), avatarUrl: input.avatar },
      select: { id: true, email: true, totpEnabled: true, emailVerifiedAt: true },
    });
    await grantAdminByVerifiedEmail(deps.db, user, deps.config.adminEmails);
    return { id: user.id, email: user.email, totpEnabled: user.totpEnabled };
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      const again = await deps.db.user.findUnique({ where: { googleId: input.sub }, select: { id: true, email: true, totpEnabled: true } });
      if (again) return again;
    }
    throw err;
  }
}
