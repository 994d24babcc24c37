import { TRPCError } from "@trpc/server";
import { resolveCaller } from "../auth/resolve-caller";
import { crossSiteRefusal, isSameOrigin } from "../http/origin-check";
import { requestClient } from "../http/request-client";
import { getServices } from "../runtime/services";
import type { RequestInfo, TrpcContext } from "./context";

/** Builds the per-request tRPC context from a Fetch API request (Next route handler). */
export async function createRequestContext(req: Request, responseHeaders: Headers): Promise<TrpcContext> {
  const services = getServices("web");
  const request: RequestInfo = {
    // TRUST_PROXY decides which X-Forwarded-For hops are believed (src/server/http/client-ip.ts).
    ...requestClient(req.headers, services.config),
    origin: req.headers.get("origin"),
    headers: req.headers,
  };
  // CSRF: tRPC sends mutations (and only mutations) as POST; a cross-site or Origin-less POST is
  // refused before any procedure runs. Queries and subscriptions are GET and change nothing.
  if (req.method !== "GET" && req.method !== "HEAD" && !isSameOrigin(request.origin, services.config)) {
    throw new TRPCError({ code: "FORBIDDEN", message: crossSiteRefusal });
  }
  const caller = await resolveCaller(services, { cookieHeader: req.headers.get("cookie"), responseHeaders });
  return { services, ...caller, request, responseHeaders };
}
