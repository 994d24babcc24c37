import { isSameOrigin } from "@/server/http/origin-check";
import { requestClient } from "@/server/http/request-client";
import { getServices } from "@/server/runtime/services";
import { revokeByLink } from "@/server/sessions/revoke-by-link";

export const dynamic = "force-dynamic";

const MAX_BODY = 2048;

function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}

/** The revoke page's button. Every failure lands on the same refusal page as a bad GET. */
export async function POST(req: Request): Promise<Response> {
  const services = getServices("web");
  const refused = "/revoke?token=refused";
  if (!isSameOrigin(req.headers.get("origin"), services.config)) return seeOther(refused);
  if (Number(req.headers.get("content-length") ?? "0") > MAX_BODY) return seeOther(refused);
  let token: unknown;
  try {
    const body = await req.text();
    if (body.length > MAX_BODY) return seeOther(refused);
    token = new URLSearchParams(body).get("token");
  } catch {
    return seeOther(refused);
  }
  const ok = await revokeByLink(services, { token, client: requestClient(req.headers, services.config) });
  return seeOther(ok ? "/revoke/done" : refused);
}
