import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/trpc/root";
import { createRequestContext } from "@/server/trpc/create-context";

export const dynamic = "force-dynamic";

async function handler(req: Request): Promise<Response> {
  const responseHeaders = new Headers();
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createRequestContext(req, responseHeaders),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path}:`, error.cause ?? error);
    },
  });
  responseHeaders.forEach((value, key) => response.headers.append(key, value));
  return response;
}

export { handler as GET, handler as POST };
