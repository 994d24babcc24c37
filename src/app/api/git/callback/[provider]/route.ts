import { connectCallback } from "@/server/git/oauth-connect-http";
import { actorFromRequest } from "@/server/git/actor-from-request";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ provider: string }> }): Promise<Response> {
  const { provider } = await params;
  const { services, actor } = await actorFromRequest(req);
  return connectCallback(services, actor, provider, req);
}
