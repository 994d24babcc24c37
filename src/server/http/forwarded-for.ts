import type { IncomingMessage } from "node:http";

/**
 * Called by the web server on every request before Next.js sees it: appends the socket peer
 * to X-Forwarded-For, as a proxy would. Next.js only fills the header when it is absent, so
 * without this a client could choose its own address by sending the header.
 */
export function appendPeerToForwardedFor(req: IncomingMessage): void {
  const peer = req.socket.remoteAddress ?? "";
  const existing = req.headers["x-forwarded-for"];
  const joined = Array.isArray(existing) ? existing.join(", ") : existing;
  req.headers["x-forwarded-for"] = joined ? `${joined}, ${peer}` : peer;
}
