import type { Actor } from "../auth/actor";
import { DomainError } from "../errors/domain-errors";
import { cookiesAreSecure } from "../http/cookie-security";
import { readCookie, serializeCookie } from "../http/cookies";
import type { Services } from "../runtime/services";
import { beginConnect, completeConnect } from "./git-connections.service";
import { isGitProviderId } from "./providers/provider-types";
import { authorizeRoute } from "../teams/authorize";

/** Where the dashboard lists git connections; callbacks return here with the outcome. */
export const GIT_CONNECTIONS_PAGE = "/apps/git";

const nonceCookie = (provider: string) => `wh_git_oauth_${provider}`;

type Deps = Pick<Services, "db" | "config" | "cipher" | "log">;
type Caller = Pick<Actor, "userId" | "role" | "team" | "audit">;

function redirect(deps: Pick<Services, "config">, path: string, setCookie?: string): Response {
  const headers = new Headers({ Location: new URL(path, deps.config.PUBLIC_URL).toString() });
  if (setCookie) headers.append("Set-Cookie", setCookie);
  return new Response(null, { status: 302, headers });
}

function pageWith(params: Record<string, string>): string {
  return `${GIT_CONNECTIONS_PAGE}?${new URLSearchParams(params)}`;
}

/** GET /api/git/connect/<provider>: to the provider's consent page, with a nonce cookie for the callback. */
export function connectRedirect(deps: Pick<Services, "config">, actor: Caller | null, { provider }: { provider: string }): Response {
  if (!actor) return redirect(deps, `/sign-in?next=${encodeURIComponent(GIT_CONNECTIONS_PAGE)}`);
  if (!isGitProviderId(provider)) return redirect(deps, pageWith({ error: "Unknown git provider." }));
  try {
    authorizeRoute(actor, "git.connect");
    const { url, nonce } = beginConnect(deps, actor, { provider });
    const cookie = serializeCookie(nonceCookie(provider), nonce, {
      maxAgeSeconds: 600,
      secure: cookiesAreSecure(deps.config),
      path: "/api/git",
      sameSite: "Lax",
    });
    const headers = new Headers({ Location: url });
    headers.append("Set-Cookie", cookie);
    return new Response(null, { status: 302, headers });
  } catch (err) {
    return redirect(deps, pageWith({ error: err instanceof DomainError ? err.message : "Could not start connecting." }));
  }
}

/** GET /api/git/callback/<provider>?code&state: token stored, back to the connections page. */
export async function connectCallback(deps: Deps, actor: Caller | null, { provider, request: req }: { provider: string; request: Request }): Promise<Response> {
  if (!actor) return redirect(deps, `/sign-in?next=${encodeURIComponent(GIT_CONNECTIONS_PAGE)}`);
  if (!isGitProviderId(provider)) return redirect(deps, pageWith({ error: "Unknown git provider." }));
  const url = new URL(req.url);
  const clear = serializeCookie(nonceCookie(provider), "", { maxAgeSeconds: 0, secure: cookiesAreSecure(deps.config), path: "/api/git" });
  const denied = url.searchParams.get("error");
  if (denied) return redirect(deps, pageWith({ error: `The provider did not grant access (${denied.slice(0, 80)}).` }), clear);
  try {
    authorizeRoute(actor, "git.callback");
    const done = await completeConnect(deps, actor, {
      provider,
      code: url.searchParams.get("code"),
      state: url.searchParams.get("state"),
      nonce: readCookie(req.headers.get("cookie"), nonceCookie(provider)),
    });
    return redirect(deps, pageWith({ connected: done.provider }), clear);
  } catch (err) {
    if (!(err instanceof DomainError)) deps.log.error({ err, provider }, "git provider callback failed");
    return redirect(deps, pageWith({ error: err instanceof DomainError ? err.message : "Connecting failed; try again." }), clear);
  }
}
