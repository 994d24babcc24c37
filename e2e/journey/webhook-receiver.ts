import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Deliveries whose JSON body has this `type` (Standard Webhooks payloads carry one). */
  ofType(type: string): ReceivedWebhook[];
  close(): Promise<void>;
}

/** A local HTTP endpoint standing in for the user's webhook receiver: records every POST, answers 200. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push({ headers: req.headers as Record<string, string>, body, receivedAt: Date.now() });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/wisehosting`;
  const typeOf = (r: ReceivedWebhook) => {
    try {
      return (JSON.parse(r.body) as { type?: string }).type;
    } catch {
      return undefined;
    }
  };
  return {
    url,
    received,
    ofType: (type) => received.filter((r) => typeOf(r) === type),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
