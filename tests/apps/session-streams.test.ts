import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../../src/server/runtime/services";
import { revokeByLink } from "../../src/server/sessions/revoke-by-link";
import { signRevokeToken } from "../../src/server/sessions/revoke-link";
import { appRouter } from "../../src/server/trpc/root";
import { createRequestContext } from "../../src/server/trpc/create-context";
import { accountFixture, browser, type AccountFixture } from "../accounts/account-fixture";
import { installServices, TrpcTestClient } from "../accounts/trpc-client";

/**
 * Issue 12 item 7: live streams are authorised when they open, and must also end when their
 * session does. Each case opens a real SSE stream over HTTP (the tRPC handler behind node:http,
 * authenticated by the session cookie exactly as the dashboard's EventSource is), proves it is
 * delivering, ends the session one way or another, and waits for the stream to end with
 * UNAUTHORIZED and close.
 */
let f: AccountFixture;
let services: Services;
let server: Server;
let base: string;
const PASSWORD = "tangerine harbor quartz";

beforeAll(async () => {
  f = await accountFixture({ env: { LIVE_SESSION_RECHECK_SECONDS: "1" } });
  services = installServices(f.config);
  server = createServer(async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const request = new Request(`${base}${req.url}`, {
      method: req.method,
      headers,
      ...(req.method === "POST" ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
    } as RequestInit);
    const responseHeaders = new Headers();
    const response = await fetchRequestHandler({ endpoint: "/api/trpc", req: request, router: appRouter, createContext: () => createRequestContext(request, responseHeaders) });
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
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await services.close();
  await f.close();
});

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let n = 0;
async function signedIn(email: string): Promise<{ client: TrpcTestClient; userId: number }> {
  const client = new TrpcTestClient(f.config.PUBLIC_URL);
  client.forwardedFor = `198.51.100.${++n}, 127.0.0.1`;
  await client.mutate("auth.signUp", { email, password: PASSWORD });
  await client.mutate("auth.signIn", { email, password: PASSWORD });
  const userId = (await client.query<{ id: number }>("auth.me")).id;
  // Status streams show only the team's apps: each user gets one to publish changes for.
  const { app } = await client.mutate<{ app: { id: number } }>("apps.create", { name: `session-streams-${n}`, repoUrl: "https://github.com/acme/streams.git" });
  appOf.set(userId, app.id);
  return { client, userId };
}

/** The app signedIn() created for each user (in the user's personal team). */
const appOf = new Map<number, number>();

async function anotherSession(email: string): Promise<TrpcTestClient> {
  const client = new TrpcTestClient(f.config.PUBLIC_URL);
  client.forwardedFor = `198.51.100.${++n}, 127.0.0.1`;
  await client.mutate("auth.signIn", { email, password: PASSWORD });
  return client;
}

interface SseEvent {
  event: string;
  data: string;
}

/** A real SSE connection with the client's cookie, read event by event. */
async function openStream(client: TrpcTestClient, path = "apps.onStatus", input?: unknown) {
  const url = new URL(`${base}/api/trpc/${path}`);
  if (input !== undefined) url.searchParams.set("input", JSON.stringify(superjson.serialize(input)));
  const abort = new AbortController();
  const res = await fetch(url, { headers: { cookie: client.cookieHeader(), accept: "text/event-stream" }, signal: abort.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  const events: SseEvent[] = [];
  let closed = false;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
          const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join("\n");
          events.push({ event, data });
        }
      }
    } catch {
      /* aborted */
    } finally {
      closed = true;
    }
  })();
  const dataEvents = () => events.filter((e) => e.event === "message");
  return {
    events,
    dataEvents,
    closed: () => closed,
    close: () => abort.abort(),
    /** The tRPC error code the server ended the stream with, if it did. */
    errorCode(): string | null {
      const e = events.find((x) => x.event === "serialized-error");
      if (!e) return null;
      const shape = superjson.deserialize(JSON.parse(e.data)) as { data?: { code?: string; details?: { sessionEnded?: boolean } }; message: string };
      return shape.data?.code ?? null;
    },
  };
}

type Stream = Awaited<ReturnType<typeof openStream>>;

/** Publishes status changes until the stream shows one: it is open, authorised and delivering. */
async function delivering(stream: Stream, userId: number): Promise<void> {
  const before = stream.dataEvents().length;
  await until(async () => {
    await services.bus.publish("app.changed", { appId: appOf.get(userId)!, userId, status: "running" });
    return stream.dataEvents().length > before;
  }, "the stream to deliver");
}

async function endsWithUnauthorized(stream: Stream, what: string, timeoutMs?: number): Promise<void> {
  await until(() => stream.closed(), `the stream to close after ${what}`, timeoutMs);
  expect(stream.errorCode()).toBe("UNAUTHORIZED");
}

describe("live streams end with their session", () => {
  it("sign-out ends every stream opened with that session (status, runtime logs, deploy progress, build log)", async () => {
    const { client, userId } = await signedIn("streams-signout@example.com");
    const app = { id: appOf.get(userId)! };
    const deployment = await client.mutate<{ id: number }>("apps.deploy", { appId: app.id });
    const status = await openStream(client);
    const logs = await openStream(client, "apps.onRuntimeLogs", { appId: app.id });
    const progress = await openStream(client, "apps.onDeployProgress", { appId: app.id });
    const buildLog = await openStream(client, "deployments.onBuildLog", { deploymentId: deployment.id });
    await delivering(status, userId);
    // Deploy progress starts with the current job: that stream is live too.
    await until(() => progress.dataEvents().length > 0, "the current job");
    const jar = new Map(client.jar);

    await client.mutate("auth.signOut");
    for (const [name, s] of [["status", status], ["runtime logs", logs], ["deploy progress", progress], ["build log", buildLog]] as const) {
      await endsWithUnauthorized(s, `sign-out (${name})`);
    }
    // The old cookie cannot open a new one either.
    const stale = new TrpcTestClient(f.config.PUBLIC_URL);
    for (const [k, v] of jar) stale.jar.set(k, v);
    await endsWithUnauthorized(await openStream(stale), "opening with a signed-out cookie");
  });

  it("revoking one session ends its streams; the revoking session's own stream keeps delivering", async () => {
    const { client: laptop, userId } = await signedIn("streams-revoke@example.com");
    const phone = await anotherSession("streams-revoke@example.com");
    const phoneStream = await openStream(phone);
    const laptopStream = await openStream(laptop);
    await delivering(phoneStream, userId);
    await delivering(laptopStream, userId);
    const phoneId = (await phone.query<{ id: number; current: boolean }[]>("sessions.list")).find((s) => s.current)!.id;

    await laptop.mutate("sessions.revoke", { id: phoneId });
    await endsWithUnauthorized(phoneStream, "revoke");
    await delivering(laptopStream, userId);
    expect(laptopStream.closed()).toBe(false);
    laptopStream.close();
  });

  it("revoke-others and a password change end the other sessions' streams", async () => {
    const { client: main, userId } = await signedIn("streams-others@example.com");
    const a = await openStream(await anotherSession("streams-others@example.com"));
    const b = await openStream(await anotherSession("streams-others@example.com"));
    await delivering(a, userId);
    await delivering(b, userId);
    await main.mutate("sessions.revokeOthers");
    await endsWithUnauthorized(a, "revoke others");
    await endsWithUnauthorized(b, "revoke others");

    const c = await openStream(await anotherSession("streams-others@example.com"));
    const own = await openStream(main);
    await delivering(c, userId);
    await delivering(own, userId);
    await main.mutate("account.changePassword", { newPassword: "fresh lagoon pepper 7" });
    await endsWithUnauthorized(c, "password change");
    await delivering(own, userId);
    own.close();
  });

  it("re-auth retires the old token's streams; a revoke link from the new-device email ends its session's streams", async () => {
    const { client, userId } = await signedIn("streams-reauth@example.com");
    const before = await openStream(client);
    await delivering(before, userId);
    await client.mutate("auth.reauth", { password: PASSWORD });
    await endsWithUnauthorized(before, "re-auth");
    // The page reconnects with the new cookie and is live again.
    const after = await openStream(client);
    await delivering(after, userId);

    const sessionId = (await client.query<{ id: number; current: boolean }[]>("sessions.list")).find((s) => s.current)!.id;
    const token = signRevokeToken(f.config.APP_SECRET, userId, sessionId, new Date());
    expect(await revokeByLink(services, { token, client: browser })).toBe(true);
    await endsWithUnauthorized(after, "the revoke link");
  });

  it("without any bus message (a revocation another process could not announce, or expiry) the periodic check ends the stream", async () => {
    const { client, userId } = await signedIn("streams-fallback@example.com");
    const revoked = await openStream(client);
    await delivering(revoked, userId);
    const sessionId = (await client.query<{ id: number; current: boolean }[]>("sessions.list")).find((s) => s.current)!.id;
    // Straight to the row: nothing is published.
    await services.db.session.update({ where: { id: sessionId }, data: { revokedAt: new Date() } });
    await endsWithUnauthorized(revoked, "the periodic check (revoked row)", 10_000);

    const second = await anotherSession("streams-fallback@example.com");
    const expiring = await openStream(second);
    await delivering(expiring, userId);
    const secondId = (await second.query<{ id: number; current: boolean }[]>("sessions.list")).find((s) => s.current)!.id;
    await services.db.session.update({ where: { id: secondId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await endsWithUnauthorized(expiring, "the periodic check (expired)", 10_000);
  });
});

describe("live streams end when their team membership does", () => {
  let logId = 0;
  /** Publishes runtime log lines until the stream shows one: it is open, authorised and delivering. */
  async function logging(stream: Stream, appId: number): Promise<void> {
    const before = stream.dataEvents().length;
    await until(async () => {
      await services.bus.publish("app.logs", { appId, lines: [{ id: String(++logId), ts: Date.now(), stream: "stdout", line: `line ${logId}` }] });
      return stream.dataEvents().length > before;
    }, "the log stream to deliver");
  }

  it("removing a member closes the team app's live log they had open; they stay signed in, in their personal team", async () => {
    const { client: owner } = await signedIn("streams-team-owner@example.com");
    const { client: member, userId: memberId } = await signedIn("streams-team-member@example.com");
    const team = await owner.mutate<{ id: number }>("teams.create", { name: "Stream crew" });
    const { app } = await owner.mutate<{ app: { id: number } }>("apps.create", { name: "stream-crew-app", repoUrl: "https://github.com/acme/crew.git" });
    // Membership straight to the row: accepting an invitation is tests/teams/members-and-invitations.test.ts.
    await services.db.teamMember.create({ data: { teamId: team.id, userId: memberId, role: "developer" } });
    await member.mutate("teams.switch", { teamId: team.id });
    const memberLogs = await openStream(member, "apps.onRuntimeLogs", { appId: app.id });
    const ownerLogs = await openStream(owner, "apps.onRuntimeLogs", { appId: app.id });
    await logging(memberLogs, app.id);
    await logging(ownerLogs, app.id);

    await owner.mutate("teams.removeMember", { userId: memberId });
    await endsWithUnauthorized(memberLogs, "the removal from the team");
    // Only the removed member's streams end.
    await logging(ownerLogs, app.id);
    expect(ownerLogs.closed()).toBe(false);
    ownerLogs.close();

    // Still signed in, now in the personal team, where the team's app does not exist.
    expect(await member.query<{ personal: boolean }>("teams.current")).toMatchObject({ personal: true });
    const reopened = await openStream(member, "apps.onRuntimeLogs", { appId: app.id });
    await until(() => reopened.closed(), "the reopened stream to be refused");
    expect(reopened.errorCode()).toBe("NOT_FOUND");
  });

  it("without any bus message (a removal another process could not announce) the periodic check ends the stream", async () => {
    const { client: owner } = await signedIn("streams-team-owner2@example.com");
    const { client: member, userId: memberId } = await signedIn("streams-team-member2@example.com");
    const team = await owner.mutate<{ id: number }>("teams.create", { name: "Quiet crew" });
    const { app } = await owner.mutate<{ app: { id: number } }>("apps.create", { name: "quiet-crew-app", repoUrl: "https://github.com/acme/quiet.git" });
    await services.db.teamMember.create({ data: { teamId: team.id, userId: memberId, role: "viewer" } });
    await member.mutate("teams.switch", { teamId: team.id });
    const memberLogs = await openStream(member, "apps.onRuntimeLogs", { appId: app.id });
    await logging(memberLogs, app.id);
    // Straight to the row: nothing is published.
    await services.db.teamMember.delete({ where: { teamId_userId: { teamId: team.id, userId: memberId } } });
    await endsWithUnauthorized(memberLogs, "the periodic check (membership gone)", 10_000);
  });
});
