import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { EventSource } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, type AppRouter } from "../../src/server/trpc/root";
import { startAppHarness, type AppHarness, type TestUser } from "./helpers/app-harness";

/**
 * The real transport: tRPC over HTTP with server-sent events, as the dashboard uses it. Killing
 * the connection mid-stream makes the client reconnect with the last event id; the lines written
 * meanwhile arrive once, and nothing already shown arrives again.
 */
describe("runtime logs over SSE survive a reconnect without duplicates", () => {
  let h: AppHarness;
  let u: TestUser;
  let server: Server;
  let url: string;
  let appId: number;

  beforeAll(async () => {
    h = await startAppHarness();
    u = await h.user("pro");
    appId = (await u.caller.apps.create({ name: "sse-resume-app", repoUrl: "https://github.com/acme/sse.git" })).app.id;
    server = createServer(async (req, res) => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const request = new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        ...(req.method === "POST" ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
      } as RequestInit);
      const response = await fetchRequestHandler({ endpoint: "/api/trpc", req: request, router: appRouter, createContext: () => u.ctx });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (!response.body) return res.end();
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
      } catch {
        /* client went away */
      }
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await h.close();
  });

  async function persist(line: string) {
    const row = await h.tdb.db.runtimeLog.create({ data: { appId, ts: new Date(), stream: "stdout", line } });
    return { id: row.id.toString(), ts: row.ts.getTime(), stream: "stdout" as const, line };
  }

  async function until(check: () => boolean, what: string) {
    const deadline = Date.now() + 15_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("delivers replay + live lines, reconnects with lastEventId and repeats nothing", async () => {
    const client = createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url, transformer: superjson, EventSource: EventSource as unknown as typeof globalThis.EventSource }),
          false: httpBatchLink({ url, transformer: superjson }),
        }),
      ],
    });
    const seen: string[] = [];
    const ids: string[] = [];
    await persist("replayed line");
    const sub = client.apps.onRuntimeLogs.subscribe(
      { appId },
      {
        onData: (event: unknown) => {
          const e = event as { id: string; data: { line: string } };
          ids.push(e.id);
          seen.push(e.data.line);
        },
      },
    );
    try {
      // The replay is sent after the stream subscribed to the bus: a line published now is heard.
      await until(() => seen.length === 1, "the replayed line");
      const live = await persist("live line");
      await h.services.bus.publish("app.logs", { appId, lines: [live] });
      await until(() => seen.length === 2, "the live line");

      server.closeAllConnections();
      await persist("written while disconnected");
      // Replayed by the new stream, so it listens on the bus too.
      await until(() => seen.length === 3, "the line written while disconnected");
      const after = await persist("after reconnect");
      await h.services.bus.publish("app.logs", { appId, lines: [after] });
      await until(() => seen.length === 4, "the line after reconnecting");
      // Everything expected arrived; this window lets a wrongly repeated line arrive (it can only catch one).
      await new Promise((r) => setTimeout(r, 500));
      expect(seen).toEqual(["replayed line", "live line", "written while disconnected", "after reconnect"]);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      sub.unsubscribe();
    }
  });
});
