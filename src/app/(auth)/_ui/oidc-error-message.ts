/** Messages for the ?error= codes the OIDC callback redirects with. */
const MESSAGES: Record<string, string> = {
  oidc_state: "The Google sign-in could not be verified (it expired or was tampered with). Try again.",
  oidc_failed: "Google sign-in failed. Try again, or sign in with your email and password.",
  oidc_link_required:
    "An account with this email already exists. Sign in with your password, then link Google from Security settings.",
  oidc_email_unverified: "Your Google email address is not verified, so it cannot be used to sign in.",
  oidc_disabled: "Google sign-in is not configured on this server.",
  rate_limited: "Too many attempts. Wait a few minutes and try again.",
};

export function oidcErrorMessage(code: string): string | null {
  return MESSAGES[code] ?? null;
}
