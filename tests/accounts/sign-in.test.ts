import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveCaller } from "../../src/server/auth/resolve-caller";
import { signInWithPassword } from "../../src/server/auth/sign-in-password";
import { signOut } from "../../src/server/auth/sign-out";
import { signUp } from "../../src/server/auth/sign-up";
import { DomainError } from "../../src/server/errors/domain-errors";
import { accountFixture, browser, cookieFrom, signUpAndSignIn, type AccountFixture } from "./account-fixture";

let f: AccountFixture;
const services = () => ({ config: f.config, db: f.deps.db, log: f.deps.log });

beforeAll(async () => {
  f = await accountFixture({ env: { ADMIN_EMAILS: "second-admin@example.com" } });
});
afterAll(async () => f.close());

describe("sign-up", () => {
  it("makes every new account a user: neither being first nor an unverified ADMIN_EMAILS address makes an admin", async () => {
    // Issue 12 item 14: the old rule (first account admin, ADMIN_EMAILS admin at sign-up) is the bug.
    await signUp(f.deps, { email: "Owner@Example.com", password: "correct horse battery", client: browser });
    await signUp(f.deps, { email: "user@example.com", password: "another good passphrase", client: browser });
    await signUp(f.deps, { email: "second-admin@example.com", password: "yet another passphrase", client: browser });
    const roles = await f.deps.db.user.findMany({ where: { email: { in: ["owner@example.com", "user@example.com", "second-admin@example.com"] } }, orderBy: { id: "asc" } });
    expect(roles.map((u) => [u.email, u.role, u.emailVerifiedAt])).toEqual([
      ["owner@example.com", "user", null],
      ["user@example.com", "user", null],
      ["second-admin@example.com", "user", null],
    ]);
    expect(roles[0]!.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("answers a taken email exactly like a new one (issue 12 item 15); refuses short and breached-looking passwords with what to do", async () => {
    await expect(signUp(f.deps, { email: "owner@example.com", password: "some other passphrase", client: browser })).resolves.toEqual({ status: "check_email" });
    await expect(signUp(f.deps, { email: "x@example.com", password: "short", client: browser })).rejects.toThrow(/at least 10 characters/);
    await expect(signUp(f.deps, { email: "y@example.com", password: "Password123", client: browser })).rejects.toThrow(/breach lists/);
    await expect(signUp(f.deps, { email: "not-an-email", password: "correct horse battery", client: browser })).rejects.toThrow();
  });

  it("the new account signs in with its password and gets a cookie for a live session", async () => {
    const res = await signUpAndSignIn(f.deps, { email: "fresh@example.com", password: "minty lemon stairs", client: browser });
    const caller = await resolveCaller(services(), { cookieHeader: cookieFrom(res.setCookie), now: f.clock.now() });
    expect(caller.user?.email).toBe("fresh@example.com");
    expect(res.setCookie).toMatch(/HttpOnly/);
    expect(res.setCookie).toMatch(/SameSite=Lax/);
    // Plain http on localhost: not Secure, so no __Host- prefix either.
    expect(res.setCookie).toMatch(/^wh_session=/);
  });
});

describe("password sign-in", () => {
  it("creates a new session (new token) per sign-in and records the login", async () => {
    const a = await signInWithPassword(f.deps, { email: "user@example.com", password: "another good passphrase", client: browser });
    const b = await signInWithPassword(f.deps, { email: "USER@example.com ", password: "another good passphrase", client: browser });
    expect(a.status).toBe("signed_in");
    expect(b.status).toBe("signed_in");
    expect(a.setCookie).not.toBe(b.setCookie);
    const row = await f.deps.db.session.findUniqueOrThrow({ where: { id: (a as { sessionId: number }).sessionId } });
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.ip).toBe(browser.ip);
    expect(row.browser).toMatch(/Chrome/);
    expect(row.os).toMatch(/Linux/);
    const logins = await f.deps.db.auditEvent.count({ where: { userId: row.userId, kind: "login" } });
    expect(logins).toBeGreaterThanOrEqual(2);
  });

  it("gives one answer for a wrong password and an unknown email", async () => {
    const wrong = await signInWithPassword(f.deps, { email: "user@example.com", password: "not the password", client: browser }).catch((e) => e);
    const unknown = await signInWithPassword(f.deps, { email: "nobody@example.com", password: "not the password", client: browser }).catch((e) => e);
    expect(wrong).toBeInstanceOf(DomainError);
    expect(unknown).toBeInstanceOf(DomainError);
    expect(wrong.message).toBe(unknown.message);
    expect(wrong.code).toBe("UNAUTHORIZED");
  });

  it("sign-out revokes the row and clears the cookie; the old cookie is then signed out", async () => {
    const res = await signInWithPassword(f.deps, { email: "user@example.com", password: "another good passphrase", client: browser });
    const cookie = cookieFrom(res.setCookie);
    const cleared = await signOut(f.deps, { cookieHeader: cookie, client: browser });
    expect(cleared).toMatch(/^wh_session=;.*Max-Age=0/);
    const headers = new Headers();
    const after = await resolveCaller(services(), { cookieHeader: cookie, responseHeaders: headers, now: f.clock.now() });
    expect(after.user).toBeNull();
    expect(headers.get("set-cookie")).toMatch(/wh_session=;.*Max-Age=0/);
    expect(await f.deps.db.auditEvent.count({ where: { kind: "logout" } })).toBe(1);
  });
});
