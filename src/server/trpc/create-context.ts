import { resolveCaller } from "../auth/resolve-caller";
import { getServices } from "../runtime/services";
import type { RequestInfo, TrpcContext } from "./context";

/** Builds the per-request tRPC context from a Fetch API request (Next route handler). */
export async function createRequestContext(req: Request, responseHeaders: Headers): Promise<TrpcContext> {
  const services = getServices("web");
  const request: RequestInfo = {
    ip: clientIp(req.headers),
    userAgent: req.headers.get("user-agent") ?? "",
    origin: req.headers.get("origin"),
    headers: req.headers,
  };
  const caller = await resolveCaller(services, request, req.headers.get("cookie"));
  return { services, ...caller, request, responseHeaders };
}

/**
 * The client address as Next's server reports it (the last X-Forwarded-For hop, which the Next
 * server itself appends). Trusted-proxy handling belongs to src/server/http/client-ip.ts once
 * accounts need it.
 */
function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for");
  if (!forwarded) return "";
  const hops = forwarded.split(",").map((h) => h.trim()).filter(Boolean);
  return hops[hops.length - 1] ?? "";
}
