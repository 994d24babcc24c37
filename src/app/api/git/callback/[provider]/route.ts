import { actorFromRequest } from "@/server/auth/actor-from-request";
import { connectCallback } from "@/server/git/oauth-connect-http";
import { getServices } from "@/server/runtime/services";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ provider: string }> }): Promise<Response> {
  const { provider } = await params;
  const services = getServices("web");
  return connectCallback(services, await actorFromRequest(services, req), { provider, request: req });
}
