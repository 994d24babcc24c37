import * as client from "openid-client";
import type { AccountDeps } from "../account-deps";
import { flowSetCookie } from "./oidc-flow-cookie";
import { oidcConfiguration, oidcRedirectUri } from "./oidc-configuration";

/** Step 1: the provider's authorization URL (state, nonce, PKCE S256) and the flow cookie. */
export async function startOidc(
  deps: Pick<AccountDeps, "config">,
  opts: { next: string; mode: "signin" | "link"; linkUserId: number | null },
): Promise<{ url: string; setCookie: string }> {
  const configuration = await oidcConfiguration(deps.config);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: oidcRedirectUri(deps.config),
    scope: "openid email profile",
    response_type: "code",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  const setCookie = await flowSetCookie(deps.config, { state, nonce, verifier, next: opts.next, mode: opts.mode, linkUserId: opts.linkUserId });
  return { url: url.toString(), setCookie };
}
