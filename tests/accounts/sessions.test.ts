import { sealData } from "iron-session";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveCaller } from "../../src/server/auth/resolve-caller";
import { deriveKey, KEY_PURPOSES } from "../../src/server/crypto/hkdf";
import type { Services } from "../../src/server/runtime/services";
import { pruneSessions } from "../../src/server/pruning/prune-tasks";
import { SESSION_ABSOLUTE_TTL_MS, SESSION_IDLE_TTL_MS } from "../../src/server/sessions/session-policy";
import { accountFixture, browser, cookieFrom, signUpAndSignIn, type AccountFixture } from "./account-fixture";
import { installServices, TrpcTestClient } from "./trpc-client";

let f: AccountFixture;
let services: Services;
const resolveAt = (cookie: string, now: Date, headers?: Headers) =>
  resolveCaller({ config: f.config, db: f.deps.db, log: f.deps.log }, { cookieHeader: cookie, responseHeaders: headers, now });

beforeAll(async () => {
  f = await accountFixture();
  services = installServices(f.config);
});
afterAll(async () => {
  await services.close();
  await f.close();
});

async function freshAccount(email: string) {
  const res = await signUpAndSignIn(f.deps, { email, password: "granite meadow lantern", client: browser });
  return { ...res, cookie: cookieFrom(res.setCookie) };
}

describe("session cookie attacks: signed out, never a 500", () => {
  it("tampered, truncated, oversized, foreign-password and garbage seals resolve to nobody and clear the cookie", async () => {
    const { cookie } = await freshAccount("seal@example.com");
    const [name, seal] = cookie.split("=") as [string, string];
    const flipped = seal.slice(0, 40) + (seal[40] === "A" ? "B" : "A") + seal.slice(41);
    const foreign = await sealData({ t: "x".repeat(43) }, { password: deriveKey("another-secret-another-secret-1234567890", KEY_PURPOSES.sessionCookie).toString("hex") });
    const cases = [flipped, seal.slice(0, seal.length - 10), seal + "A".repeat(5000), foreign, "garbage", "Fe26.2**"];
    for (const bad of cases) {
      const headers = new Headers();
      const caller = await resolveAt(`${name}=${bad}`, f.clock.now(), headers);
      expect(caller.user).toBeNull();
      expect(headers.get("set-cookie")).toMatch(/^wh_session=;.*Max-Age=0/);
    }
  });

  it("a tampered cookie through the HTTP handler is a 200 with no user, not a 500", async () => {
    const client = new TrpcTestClient(f.config.PUBLIC_URL);
    client.jar.set("wh_session", "Fe26.2*1*" + "a".repeat(300));
    const res = await client.raw("auth.me", { method: "GET" });
    expect(res.status).toBe(200);
    expect(client.jar.has("wh_session")).toBe(false);
  });
});

describe("session expiry (clock controlled)", () => {
  it("idle 30 days + 1 s signs out; activity keeps it rolling; bumps at most once a minute", async () => {
    const { cookie, sessionId } = await freshAccount("idle@example.com");
    const start = f.clock.now();
    const row0 = await f.deps.db.session.findUniqueOrThrow({ where: { id: sessionId } });
    // 30 s later: valid, but last_seen_at not written (debounced).
    expect((await resolveAt(cookie, new Date(start.getTime() + 30_000))).user).not.toBeNull();
    expect((await f.deps.db.session.findUniqueOrThrow({ where: { id: sessionId } })).lastSeenAt).toEqual(row0.lastSeenAt);
    // 29 days later: still valid and bumped.
    const day29 = new Date(start.getTime() + 29 * 86_400_000);
    expect((await resolveAt(cookie, day29)).user).not.toBeNull();
    expect((await f.deps.db.session.findUniqueOrThrow({ where: { id: sessionId } })).lastSeenAt).toEqual(day29);
    // 30 days exactly after the bump: still valid (not bumped past it by this check's write).
    expect((await resolveAt(cookie, new Date(day29.getTime() + SESSION_IDLE_TTL_MS))).user).not.toBeNull();
    const last = (await f.deps.db.session.findUniqueOrThrow({ where: { id: sessionId } })).lastSeenAt;
    const headers = new Headers();
    expect((await resolveAt(cookie, new Date(last.getTime() + SESSION_IDLE_TTL_MS + 1000), headers)).user).toBeNull();
    expect(headers.get("set-cookie")).toMatch(/Max-Age=0/);
  });

  it("past the absolute cap signs out even with constant activity", async () => {
    const { cookie, sessionId } = await freshAccount("cap@example.com");
    const row = await f.deps.db.session.findUniqueOrThrow({ where: { id: sessionId } });
    let t = row.createdAt.getTime();
    while (t + 20 * 86_400_000 < row.createdAt.getTime() + SESSION_ABSOLUTE_TTL_MS) {
      t += 20 * 86_400_000;
      expect((await resolveAt(cookie, new Date(t))).user).not.toBeNull();
    }
    expect((await resolveAt(cookie, new Date(row.createdAt.getTime() + SESSION_ABSOLUTE_TTL_MS + 1000))).user).toBeNull();
  });

  it("pruning deletes revoked, idle and capped sessions only", async () => {
    const live = await freshAccount("prune@example.com");
    const now = new Date(f.clock.now().getTime() + 31 * 86_400_000);
    await pruneSessions(f.deps.db, now);
    expect(await f.deps.db.session.findUnique({ where: { id: live.sessionId } })).toBeNull();
    const fresh = await freshAccount("prune2@example.com");
    await pruneSessions(f.deps.db, f.clock.now());
    expect(await f.deps.db.session.findUnique({ where: { id: fresh.sessionId } })).not.toBeNull();
  });
});

describe("sessions router", () => {
  async function signedInClient(email: string, ip: string) {
    const c = new TrpcTestClient(f.config.PUBLIC_URL);
    c.forwardedFor = `${ip}, 127.0.0.1`;
    await c.mutate("auth.signIn", { email, password: "granite meadow lantern" });
    return c;
  }

  it("lists newest first with the current one marked; revoke signs that client out and clears its cookie", async () => {
    await freshAccount("multi@example.com");
    const a = await signedInClient("multi@example.com", "203.0.113.10");
    const b = await signedInClient("multi@example.com", "203.0.113.11");
    const list = await b.query<{ id: number; ip: string; current: boolean }[]>("sessions.list");
    expect(list[0]!.current).toBe(true);
    expect(list[0]!.ip).toBe("203.0.113.11");
    const aId = list.find((s) => s.ip === "203.0.113.10")!.id;
    await b.mutate("sessions.revoke", { id: aId });
    expect(await a.query("auth.me")).toBeNull();
    expect(a.jar.has("wh_session")).toBe(false);
    await expect(a.query("sessions.list")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("another user's session id is NOT_FOUND and stays alive", async () => {
    await freshAccount("victim@example.com");
    const victim = await signedInClient("victim@example.com", "203.0.113.20");
    const victimId = (await victim.query<{ id: number; current: boolean }[]>("sessions.list")).find((s) => s.current)!.id;
    const attacker = await signedInClient("multi@example.com", "203.0.113.21");
    await expect(attacker.mutate("sessions.revoke", { id: victimId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await victim.query("auth.me")).not.toBeNull();
  });

  it("revokeOthers keeps only the caller's session", async () => {
    await freshAccount("others@example.com");
    const a = await signedInClient("others@example.com", "203.0.113.30");
    const b = await signedInClient("others@example.com", "203.0.113.31");
    const res = await b.mutate<{ revoked: number }>("sessions.revokeOthers");
    expect(res.revoked).toBeGreaterThanOrEqual(2);
    expect(await a.query("auth.me")).toBeNull();
    const left = await b.query<{ current: boolean }[]>("sessions.list");
    expect(left).toHaveLength(1);
    expect(left[0]!.current).toBe(true);
  });

  it("cross-site POSTs to mutations (no Origin, foreign Origin) are refused before running", async () => {
    await freshAccount("csrf@example.com");
    const a = await signedInClient("csrf@example.com", "203.0.113.40");
    const b = await signedInClient("csrf@example.com", "203.0.113.41");
    for (const origin of [null, "https://evil.example", "null"]) {
      b.origin = origin;
      const res = await b.raw("sessions.revokeOthers", { method: "POST", input: null });
      expect(res.status).toBe(403);
    }
    expect(await a.query("auth.me")).not.toBeNull();
    // DNS rebinding: the page's name resolves here, so its Host and Origin agree; still refused.
    b.origin = "http://rebind.attacker.example:3999";
    const rebound = await b.raw("sessions.revokeOthers", { method: "POST", input: null, headers: { host: "rebind.attacker.example:3999" } });
    expect(rebound.status).toBe(403);
    expect(await rebound.text()).toMatch(/PUBLIC_URL/);
    expect(await a.query("auth.me")).not.toBeNull();
    b.origin = new URL(f.config.PUBLIC_URL).origin;
    await expect(b.mutate("auth.signIn", { email: "csrf@example.com", password: "granite meadow lantern" })).resolves.toBeTruthy();
  });
});
