import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedDelivery {
  /** The Standard Webhooks `webhook-id`: stable across retries of one event. */
  id: string;
  type: string;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  /** Deliveries answered 204 (accepted). */
  deliveries: ReceivedDelivery[];
  /** Deliveries answered 503 while `refusing` was set. */
  refused: ReceivedDelivery[];
  /** While true, every delivery is answered 503 with `Retry-After: refuseRetryAfterSeconds`. */
  refusing: boolean;
  stop(): Promise<void>;
}

/** An outbound-webhook endpoint on loopback that records every delivery it is sent. */
export async function startWebhookReceiver(options: { refuseRetryAfterSeconds?: number } = {}): Promise<WebhookReceiver> {
  const retryAfter = String(options.refuseRetryAfterSeconds ?? 20);
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
      const delivery = { id: String(req.headers["webhook-id"] ?? ""), type, body };
      if (receiver.refusing) {
        receiver.refused.push(delivery);
        res.writeHead(503, { "retry-after": retryAfter }).end();
        return;
      }
      receiver.deliveries.push(delivery);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries: [],
    refused: [],
    refusing: false,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
