import { confirmEmailLink } from "@/server/auth/confirm-email-link";
import { isSameOrigin } from "@/server/http/origin-check";
import { requestClient } from "@/server/http/request-client";
import { getServices } from "@/server/runtime/services";

export const dynamic = "force-dynamic";

const MAX_BODY = 2048;

function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}

/** The confirmation page's button. Every failure lands on the same refusal as a bad link. */
export async function POST(req: Request): Promise<Response> {
  const services = getServices("web");
  const refused = "/confirm-email?token=refused";
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
  const ok = await confirmEmailLink(services, { token, client: requestClient(req.headers, services.config) });
  return seeOther(ok ? "/confirm-email/done" : refused);
}
