import { signOut } from "@/server/auth/sign-out";
import { crossSiteRefusal, isSameOrigin } from "@/server/http/origin-check";
import { requestClient } from "@/server/http/request-client";
import { getServices } from "@/server/runtime/services";

export const dynamic = "force-dynamic";

/** The nav's "Sign out" button: revokes the session row, clears the cookie, back to /sign-in. */
export async function POST(req: Request): Promise<Response> {
  const services = getServices("web");
  if (!isSameOrigin(req.headers.get("origin"), services.config)) {
    return new Response(crossSiteRefusal, { status: 403 });
  }
  const setCookie = await signOut(services, { cookieHeader: req.headers.get("cookie"), client: requestClient(req.headers, services.config) });
  const headers = new Headers({ location: "/sign-in", "set-cookie": setCookie, "cache-control": "no-store" });
  return new Response(null, { status: 303, headers });
}
