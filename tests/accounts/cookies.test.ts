import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInWithPassword } from "../../src/server/auth/sign-in-password";
import { completeTwoFactorChallenge } from "../../src/server/two-factor/complete-challenge";
import { beginTotpSetup, enableTotp } from "../../src/server/two-factor/manage-totp";
import { pendingClearCookie, readPendingToken } from "../../src/server/two-factor/pending-challenge";
import { accountFixture, browser, cookieFrom, signUpAndSignIn, totpAt, type AccountFixture } from "./account-fixture";

/**
 * Issue 12 item 16: on an https dashboard the 2FA pending cookie is a `__Host-` cookie like the
 * session cookie (Secure, Path=/, no Domain), so a sibling subdomain cannot plant or overwrite it.
 */
let f: AccountFixture;
beforeAll(async () => {
  f = await accountFixture({ env: { PUBLIC_URL: "https://paas.example.com" } });
});
afterAll(async () => f.close());

describe("cookie prefixes on an https dashboard", () => {
  it("the pending challenge and the session cookie are __Host- cookies, and the challenge reads its own back", async () => {
    const signed = await signUpAndSignIn(f.deps, { email: "prefix@example.com", password: "maple orbit lantern", client: browser });
    expect(signed.setCookie).toMatch(/^__Host-wh_session=/);
    const caller = { userId: signed.userId, session: { id: signed.sessionId, twoFactor: false, reauthAt: f.clock.now() }, client: browser };
    const { secret } = await beginTotpSetup(f.deps, caller);
    await enableTotp(f.deps, caller, { code: await totpAt(secret, f.clock.now()) });
    f.clock.advance(30_000);

    const step = await signInWithPassword(f.deps, { email: "prefix@example.com", password: "maple orbit lantern", client: browser });
    expect(step.status).toBe("two_factor_required");
    const setCookie = step.setCookie;
    expect(setCookie).toMatch(/^__Host-wh_2fa_pending=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).not.toMatch(/Domain=/i);
    expect(pendingClearCookie(f.config)).toMatch(/^__Host-wh_2fa_pending=;.*Secure/);

    // An unprefixed cookie of the same name (what a sibling subdomain could set) is not read.
    const token = readPendingToken(f.config, cookieFrom(setCookie));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readPendingToken(f.config, `wh_2fa_pending=${token}`)).toBeNull();
    const done = await completeTwoFactorChallenge(f.deps, { pendingToken: token, code: await totpAt(secret, f.clock.now()), client: browser });
    expect(done.setCookie).toMatch(/^__Host-wh_session=/);
  });
});
