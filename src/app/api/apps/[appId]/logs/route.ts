import { z } from "zod";
import { actorFromRequest } from "@/server/auth/actor-from-request";
import { runtimeLogExport } from "@/server/apps/runtime-log-export";
import { DomainError } from "@/server/errors/domain-errors";
import { getServices } from "@/server/runtime/services";
import { authorizeProcedure } from "@/server/teams/authorize";

export const dynamic = "force-dynamic";

const appIdParam = z.coerce.number().int().positive();

function text(status: number, message: string): Response {
  return new Response(`${message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}

/** Download of every stored runtime log line of an app (src/server/apps/runtime-log-export.ts). */
export async function GET(req: Request, { params }: { params: Promise<{ appId: string }> }): Promise<Response> {
  const parsed = appIdParam.safeParse((await params).appId);
  if (!parsed.success) return text(400, "The app id in the address must be a positive number, as in /api/apps/12/logs.");
  const services = getServices("web");
  const actor = await actorFromRequest(services, req);
  if (!actor) return text(401, "Sign in to download an app's logs.");
  try {
    // The same permission as reading the logs on the page (procedure-access.ts).
    authorizeProcedure(actor, "apps.runtimeLogs");
    const { appName, body } = await runtimeLogExport(services.db, actor, parsed.data);
    return new Response(body, {
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "content-disposition": `attachment; filename="${appName}-logs.txt"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    if (err instanceof DomainError) return text(err.code === "NOT_FOUND" ? 404 : err.code === "FORBIDDEN" ? 403 : 400, err.message);
    throw err;
  }
}
