import { createServer, type Server } from "node:http";
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/net/free-port";
import { finishOidc } from "../../src/server/auth/oidc/finish-oidc";
import { startOidc } from "../../src/server/auth/oidc/start-oidc";
import { resolveCaller } from "../../src/server/auth/resolve-caller";
import { accountFixture, browser, cookieFrom, signUpAndSignIn, type AccountFixture } from "./account-fixture";

let f: AccountFixture;
let server: Server;
let issuer: string;
const people: Record<string, { email: string; email_verified: boolean; name: string }> = {
  "google-sub-1": { email: "gina@example.com", email_verified: true, name: "Gina" },
  "google-sub-2": { email: "pat@example.com", email_verified: true, name: "Pat" },
  "google-sub-3": { email: "unverified@example.com", email_verified: false, name: "Una" },
  "google-sub-4": { email: "linker@example.com", email_verified: true, name: "Lin" },
  "google-sub-5": { email: "twofa-google@example.com", email_verified: true, name: "Tova" },
};

beforeAll(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: "wisehosting-test",
        client_secret: "wisehosting-test-client-secret-0123456789",
        redirect_uris: ["http://localhost:3999/api/auth/oidc/callback"],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    cookies: { keys: ["oidc-test-cookie-key-0123456789"] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, sub) {
      const person = people[sub];
      if (!person) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...person }) };
    },
  });
  server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  f = await accountFixture({
    env: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: "wisehosting-test", OIDC_CLIENT_SECRET: "wisehosting-test-client-secret-0123456789" },
  });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await f.close();
});

/** A person at the provider: logs in as `sub` and consents, by following redirects and posting the dev forms. */
async function authorizeAt(url: string, sub: string): Promise<URL> {
  const jar = new Map<string, string>();
  let next = new URL(url);
  let post: string | null = null;
  for (let hop = 0; hop < 20; hop++) {
    if (next.origin !== issuer) return next; // back at our callback
    const res = await fetch(next, {
      method: post ? "POST" : "GET",
      redirect: "manual",
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "), ...(post ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      body: post ?? undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    post = null;
    const location = res.headers.get("location");
    if (location) {
      next = new URL(location, next);
      continue;
    }
    const html = await res.text();
    if (/name="login"/.test(html) || /name="prompt" value="login"/.test(html)) post = new URLSearchParams({ prompt: "login", login: sub, password: "x" }).toString();
    else if (/value="consent"/.test(html)) post = new URLSearchParams({ prompt: "consent" }).toString();
    else throw new Error(`unexpected provider page (${res.status}): ${html.slice(0, 300)}`);
  }
  throw new Error("too many redirects at the provider");
}

async function googleSignIn(sub: string, tamper?: (callback: URL) => void) {
  const started = await startOidc(f.deps, { next: "/apps", mode: "signin", linkUserId: null });
  const auth = new URL(started.url);
  expect(auth.searchParams.get("code_challenge_method")).toBe("S256");
  expect(auth.searchParams.get("state")).toBeTruthy();
  expect(auth.searchParams.get("nonce")).toBeTruthy();
  const callback = await authorizeAt(started.url, sub);
  tamper?.(callback);
  return finishOidc(f.deps, { callbackUrl: callback, cookieHeader: cookieFrom(started.setCookie), client: browser });
}

describe("OIDC sign-in against a real OpenID provider", () => {
  it("creates the account on first sign-in (a user, its provider-verified address proven) and signs the same subject in again", async () => {
    const first = await googleSignIn("google-sub-1");
    expect(first).toMatchObject({ kind: "signed_in", next: "/apps" });
    const user = await f.deps.db.user.findUniqueOrThrow({ where: { googleId: "google-sub-1" } });
    // Issue 12 item 14: being first no longer makes an account admin (the setup token does).
    expect(user).toMatchObject({ email: "gina@example.com", role: "user", passwordHash: null });
    expect(user.emailVerifiedAt).not.toBeNull();
    const caller = await resolveCaller({ config: f.config, db: f.deps.db, log: f.deps.log }, { cookieHeader: cookieFrom((first as { setCookie: string }).setCookie), now: f.clock.now() });
    expect(caller.user?.id).toBe(user.id);
    const again = await googleSignIn("google-sub-1");
    expect(again.kind).toBe("signed_in");
    expect(await f.deps.db.user.count({ where: { googleId: "google-sub-1" } })).toBe(1);
  });

  it("refuses a tampered state", async () => {
    const outcome = await googleSignIn("google-sub-2", (cb) => cb.searchParams.set("state", "tampered-state-value-0000000000"));
    expect(outcome).toEqual({ kind: "error", code: "oidc_state" });
    expect(await f.deps.db.user.findUnique({ where: { googleId: "google-sub-2" } })).toBeNull();
  });

  it("refuses a callback without the flow cookie (another browser)", async () => {
    const started = await startOidc(f.deps, { next: "/", mode: "signin", linkUserId: null });
    const callback = await authorizeAt(started.url, "google-sub-2");
    expect(await finishOidc(f.deps, { callbackUrl: callback, cookieHeader: null, client: browser })).toEqual({ kind: "error", code: "oidc_state" });
  });

  it("does not take over an existing email account, and does not create accounts from unverified emails", async () => {
    await signUpAndSignIn(f.deps, { email: "pat@example.com", password: "lilac thunder pebble", client: browser });
    expect(await googleSignIn("google-sub-2")).toEqual({ kind: "error", code: "oidc_link_required" });
    expect((await f.deps.db.user.findUniqueOrThrow({ where: { email: "pat@example.com" } })).googleId).toBeNull();
    expect(await googleSignIn("google-sub-3")).toEqual({ kind: "error", code: "oidc_email_unverified" });
  });

  it("links Google to a signed-in account (link mode), after which Google signs into it", async () => {
    const owner = await signUpAndSignIn(f.deps, { email: "linker@example.com", password: "saffron glacier rope", client: browser });
    const started = await startOidc(f.deps, { next: "/settings/security", mode: "link", linkUserId: owner.userId });
    const callback = await authorizeAt(started.url, "google-sub-4");
    expect(await finishOidc(f.deps, { callbackUrl: callback, cookieHeader: cookieFrom(started.setCookie), client: browser })).toMatchObject({ kind: "linked" });
    const signedIn = await googleSignIn("google-sub-4");
    expect(signedIn.kind).toBe("signed_in");
    expect(await f.deps.db.auditEvent.count({ where: { userId: owner.userId, kind: "provider_linked" } })).toBe(1);
  });

  it("with 2FA on, Google sign-in stops at the challenge (no session until a code)", async () => {
    expect((await googleSignIn("google-sub-5")).kind).toBe("signed_in");
    const user = await f.deps.db.user.findUniqueOrThrow({ where: { googleId: "google-sub-5" } });
    await f.deps.db.user.update({ where: { id: user.id }, data: { totpEnabled: true, totpSecret: f.deps.cipher.encrypt("JBSWY3DPEHPK3PXPJBSWY3DP", `totp:user:${user.id}`) } });
    const sessionsBefore = await f.deps.db.session.count({ where: { userId: user.id } });
    const outcome = await googleSignIn("google-sub-5");
    expect(outcome.kind).toBe("two_factor");
    expect((outcome as { setCookie: string }).setCookie).toMatch(/^wh_2fa_pending=/);
    expect(await f.deps.db.session.count({ where: { userId: user.id } })).toBe(sessionsBefore);
    expect(await f.deps.db.pendingTotp.count({ where: { userId: user.id, provider: "google" } })).toBe(1);
  });
});
