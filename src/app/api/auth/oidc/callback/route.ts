import { finishOidc } from "@/server/auth/oidc/finish-oidc";
import { flowClearCookie } from "@/server/auth/oidc/oidc-flow-cookie";
import { requestClient } from "@/server/http/request-client";
import { getServices } from "@/server/runtime/services";

export const dynamic = "force-dynamic";

/** The provider sends the browser back here with ?code&state (or ?error). */
export async function GET(req: Request): Promise<Response> {
  const services = getServices("web");
  const outcome = await finishOidc(services, {
    callbackUrl: new URL(req.url),
    cookieHeader: req.headers.get("cookie"),
    client: requestClient(req.headers, services.config),
  });
  const headers = new Headers({ "cache-control": "no-store" });
  headers.append("set-cookie", flowClearCookie(services.config));
  let location: string;
  switch (outcome.kind) {
    case "signed_in":
      headers.append("set-cookie", outcome.setCookie);
      location = outcome.next;
      break;
    case "two_factor":
      headers.append("set-cookie", outcome.setCookie);
      location = `/two-factor?next=${encodeURIComponent(outcome.next)}`;
      break;
    case "linked":
      location = "/settings/security?linked=google";
      break;
    default:
      location = `/sign-in?error=${outcome.code}`;
  }
  headers.set("location", location);
  return new Response(null, { status: 303, headers });
}
