import { createServer, type Server } from "node:http";
import { Readable } from "node:stream";
import type { AddressInfo } from "node:net";
import type { Services } from "../../../src/server/runtime/services";
import { handlePushRequest } from "../../../src/server/git/push/push-webhook-request";

/**
 * Serves /api/webhooks/git/<id> over real HTTP with the same handler the Next route calls, so
 * tests exercise headers, streaming bodies and status codes as a vendor would.
 */
export async function startPushServer(services: Services): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const match = /^\/api\/webhooks\/git\/([^/?]+)$/.exec(req.url ?? "");
    if (!match || req.method !== "POST") {
      res.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const request = new Request(`http://localhost${req.url}`, {
      method: "POST",
      headers,
      body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
      duplex: "half",
    } as RequestInit);
    const response = await handlePushRequest(services, { webhookId: match[1]!, request });
    res.writeHead(response.status, { "content-type": "application/json", connection: "close" });
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
