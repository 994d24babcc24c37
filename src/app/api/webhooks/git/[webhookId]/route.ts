import { handlePushRequest } from "@/server/git/push/push-webhook-request";
import { getServices } from "@/server/runtime/services";

export const dynamic = "force-dynamic";

/** Git push webhooks (GitHub, GitLab, Gitea/Forgejo/Codeberg, Bitbucket) for one app's endpoint. */
export async function POST(req: Request, { params }: { params: Promise<{ webhookId: string }> }): Promise<Response> {
  const { webhookId } = await params;
  return handlePushRequest(getServices("web"), { webhookId, request: req });
}
