import { handleApiRequest } from "@/server/public-api/handle-api-request";
import { getServices } from "@/server/runtime/services";

export const dynamic = "force-dynamic";

/** The public API (docs/api.md, src/server/public-api). */
function handler(req: Request): Promise<Response> {
  return handleApiRequest(req, { services: getServices("web") });
}

export { handler as DELETE, handler as GET, handler as POST, handler as PUT };
