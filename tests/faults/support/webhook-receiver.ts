import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedDelivery {
  /** The Standard Webhooks `webhook-id`: stable across retries of one event. */
  id: string;
  type: string;
  body: string;
}

/** An outbound-webhook endpoint on loopback that records every delivery it is sent. */
export async function startWebhookReceiver(): Promise<{ url: string; deliveries: ReceivedDelivery[]; stop(): Promise<void> }> {
  const deliveries: ReceivedDelivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let type = "";
      try {
        type = String((JSON.parse(body) as { type?: unknown }).type ?? "");
      } catch {
        // Recorded with an empty type; the suite fails on it.
      }
      deliveries.push({ id: String(req.headers["webhook-id"] ?? ""), type, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
