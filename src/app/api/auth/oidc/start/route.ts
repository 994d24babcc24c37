import { safeReturnPath } from "@/server/http/return-path";
import { actorFromRequest } from "@/server/auth/actor-from-request";
import { inSudoMode } from "@/server/auth/require-sudo";
import { oidcEnabled } from "@/server/auth/oidc/oidc-configuration";
import { startOidc } from "@/server/auth/oidc/start-oidc";
import { getServices } from "@/server/runtime/services";

export const dynamic = "force-dynamic";

function redirect(location: string, setCookie?: string): Response {
  const headers = new Headers({ location, "cache-control": "no-store" });
  if (setCookie) headers.append("set-cookie", setCookie);
  return new Response(null, { status: 302, headers });
}

/**
 * "Sign in with Google" (?next=/path), or with ?mode=link from Security settings: attach Google
 * to the signed-in account, which needs sudo mode (a recent password/TOTP check).
 */
export async function GET(req: Request): Promise<Response> {
  const services = getServices("web");
  const url = new URL(req.url);
  const next = safeReturnPath(url.searchParams.get("next"));
  if (!oidcEnabled(services.config)) return redirect("/sign-in?error=oidc_disabled");
  let linkUserId: number | null = null;
  const mode = url.searchParams.get("mode") === "link" ? "link" : "signin";
  if (mode === "link") {
    const actor = await actorFromRequest(services, req);
    if (!actor) return redirect(`/sign-in?next=${encodeURIComponent("/settings/security")}`);
    if (!inSudoMode(actor.session, services.now())) return redirect("/settings/security?link=reauth");
    linkUserId = actor.userId;
  }
  try {
    const started = await startOidc(services, { next: mode === "link" ? "/settings/security" : next, mode, linkUserId });
    return redirect(started.url, started.setCookie);
  } catch (err) {
    services.log.error({ err: (err as Error).message }, "could not start OIDC sign-in");
    return redirect("/sign-in?error=oidc_failed");
  }
}
