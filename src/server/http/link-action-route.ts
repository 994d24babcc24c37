import type { ClientInfo } from "../auth/client-context";
import { getServices, type Services } from "../runtime/services";
import { isSameOrigin } from "./origin-check";
import { requestClient } from "./request-client";

const MAX_BODY = 2048;

export interface LinkAction {
  /** Where every failure lands: the same refusal a bad link shows on GET. */
  refused: string;
  /** Where a used link lands. */
  done: string;
  /** Uses the token from the form; true when it did what the link offers. */
  act: (services: Services, input: { token: unknown; client: ClientInfo }) => Promise<boolean>;
}

function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}

/**
 * The POST handler behind a mailed link's confirmation button (src/app/api/auth/revoke-link,
 * src/app/api/auth/confirm-email): the GET page only shows what the link would do; its form
 * posts the token here from the platform's own origin, in a small urlencoded body, and the
 * answer is a 303 to the done page or to the refusal page, whatever went wrong.
 */
export function linkActionRoute(action: LinkAction): (req: Request) => Promise<Response> {
  return async (req) => {
    const services = getServices("web");
    if (!isSameOrigin(req.headers.get("origin"), services.config)) return seeOther(action.refused);
    if (Number(req.headers.get("content-length") ?? "0") > MAX_BODY) return seeOther(action.refused);
    let token: unknown;
    try {
      const body = await req.text();
      if (body.length > MAX_BODY) return seeOther(action.refused);
      token = new URLSearchParams(body).get("token");
    } catch {
      return seeOther(action.refused);
    }
    const ok = await action.act(services, { token, client: requestClient(req.headers, services.config) });
    return seeOther(ok ? action.done : action.refused);
  };
}
