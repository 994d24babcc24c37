import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInWithPassword } from "../../src/server/auth/sign-in-password";
import { reauthenticate } from "../../src/server/auth/reauth";
import { completeTwoFactorChallenge } from "../../src/server/two-factor/complete-challenge";
import { beginTotpSetup, disableTotp, enableTotp, regenerateBackupCodes } from "../../src/server/two-factor/manage-totp";
import { prunePendingTotps } from "../../src/server/pruning/prune-tasks";
import { PENDING_TTL_SECONDS } from "../../src/server/two-factor/pending-challenge";
import { accountFixture, browser, signUpAndSignIn, totpAt, type AccountFixture } from "./account-fixture";

let f: AccountFixture;
const PASSWORD = "harbor quiet falcon";
const STEP = 30_000;
let signupIp = 0;
// Sign-ups are limited per IP; each test account signs up from its own address.
const signupClient = () => ({ ...browser, ip: `10.9.${Math.floor(++signupIp / 250)}.${signupIp % 250}` });

beforeAll(async () => {
  f = await accountFixture();
});
afterAll(async () => f.close());

/** A user with 2FA on; returns the secret, backup codes and a sudo-fresh caller. */
async function userWith2fa(email: string) {
  const signed = await signUpAndSignIn(f.deps, { email, password: PASSWORD, client: signupClient() });
  const session = await f.deps.db.session.findUniqueOrThrow({ where: { id: signed.sessionId } });
  const caller = { userId: signed.userId, session: { id: session.id, twoFactor: false, reauthAt: session.reauthAt } };
  const { secret } = await beginTotpSetup(f.deps, caller);
  const { backupCodes } = await enableTotp(f.deps, { ...caller, client: browser }, { code: await totpAt(secret, f.clock.now()) });
  // Later codes must come from later steps (the setup code's step is used up).
  f.clock.advance(STEP);
  return { userId: signed.userId, secret, backupCodes, caller };
}

/** Password step; returns the wh_2fa_pending token. */
async function passwordStep(email: string, client = browser) {
  const res = await signInWithPassword(f.deps, { email, password: PASSWORD, client });
  expect(res.status).toBe("two_factor_required");
  const match = /^wh_2fa_pending=([^;]+)/.exec(res.setCookie);
  return match![1]!;
}

describe("setup", () => {
  it("stores the secret encrypted, enables on the first code and returns 10 distinct backup codes", async () => {
    const { userId, secret, backupCodes } = await userWith2fa("setup@example.com");
    const user = await f.deps.db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user.totpEnabled).toBe(true);
    expect(user.totpSecret).toMatch(/^v1:/);
    expect(user.totpSecret).not.toContain(secret);
    expect(new Set(backupCodes).size).toBe(10);
    const hashes = await f.deps.db.backupCode.findMany({ where: { userId } });
    expect(hashes).toHaveLength(10);
    expect(hashes.every((h) => h.codeHash.startsWith("$argon2id$"))).toBe(true);
  });

  it("a wrong first code does not enable", async () => {
    const signed = await signUpAndSignIn(f.deps, { email: "wrongfirst@example.com", password: PASSWORD, client: signupClient() });
    const caller = { userId: signed.userId, session: { id: signed.sessionId, twoFactor: false, reauthAt: f.clock.now() } };
    const { secret } = await beginTotpSetup(f.deps, caller);
    const code = await totpAt(secret, new Date(f.clock.now().getTime() + 3 * STEP));
    await expect(enableTotp(f.deps, { ...caller, client: browser }, { code })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await f.deps.db.user.findUniqueOrThrow({ where: { id: signed.userId } })).totpEnabled).toBe(false);
  });
});

describe("sign-in challenge", () => {
  it("password alone gives no session; the code turns the challenge into a 2FA session; the challenge is single use", async () => {
    const { secret } = await userWith2fa("challenge@example.com");
    const sessionsBefore = await f.deps.db.session.count();
    const pending = await passwordStep("challenge@example.com");
    expect(await f.deps.db.session.count()).toBe(sessionsBefore);
    const done = await completeTwoFactorChallenge(f.deps, { pendingToken: pending, code: await totpAt(secret, f.clock.now()), client: browser });
    const session = await f.deps.db.session.findUniqueOrThrow({ where: { id: done.sessionId } });
    expect(session.twoFactor).toBe(true);
    f.clock.advance(STEP);
    await expect(completeTwoFactorChallenge(f.deps, { pendingToken: pending, code: await totpAt(secret, f.clock.now()), client: browser })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("the same TOTP code twice in sequence: exactly one success, and the reuse is logged", async () => {
    const { userId, secret } = await userWith2fa("replay@example.com");
    const code = await totpAt(secret, f.clock.now());
    await completeTwoFactorChallenge(f.deps, { pendingToken: await passwordStep("replay@example.com"), code, client: browser });
    await expect(completeTwoFactorChallenge(f.deps, { pendingToken: await passwordStep("replay@example.com"), code, client: browser })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await f.deps.db.auditEvent.count({ where: { userId, kind: "totp_replay_refused" } })).toBe(1);
  });

  it("the same TOTP code concurrently: exactly one success", async () => {
    const { secret } = await userWith2fa("concurrent@example.com");
    const code = await totpAt(secret, f.clock.now());
    const pendings = await Promise.all(Array.from({ length: 6 }, () => passwordStep("concurrent@example.com")));
    const results = await Promise.allSettled(pendings.map((p) => completeTwoFactorChallenge(f.deps, { pendingToken: p, code, client: browser })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("a code from ±1 step works; two steps away is refused", async () => {
    const { secret } = await userWith2fa("drift@example.com");
    const twoAhead = await totpAt(secret, new Date(f.clock.now().getTime() + 2 * STEP));
    const twoBehind = await totpAt(secret, new Date(f.clock.now().getTime() - 2 * STEP));
    await expect(completeTwoFactorChallenge(f.deps, { pendingToken: await passwordStep("drift@example.com"), code: twoAhead, client: browser })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(completeTwoFactorChallenge(f.deps, { pendingToken: await passwordStep("drift@example.com"), code: twoBehind, client: browser })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const oneAhead = await totpAt(secret, new Date(f.clock.now().getTime() + STEP));
    await expect(completeTwoFactorChallenge(f.deps, { pendingToken: await passwordStep("drift@example.com"), code: oneAhead, client: browser })).resolves.toMatchObject({ status: "signed_in" });
  });

  it('" 123456", 7 digits and an object are validation errors that count toward the limit', async () => {
    const { userId } = await userWith2fa("format@example.com");
    const pending = await passwordStep("format@example.com");
    const key = `2fa:account:${userId}`;
    const before = (await f.deps.db.rateLimitBucket.findUnique({ where: { key } }))?.count ?? 0;
    for (const bad of [" 123456", "1234567", { code: "123456" }]) {
      await expect(completeTwoFactorChallenge(f.deps, { pendingToken: pending, code: bad, client: browser })).rejects.toMatchObject({ code: "VALIDATION" });
    }
    const bucket = await f.deps.db.rateLimitBucket.findUniqueOrThrow({ where: { key } });
    expect(bucket.count).toBe(before + 3);
  });

  it("brute force spread over many IPs is throttled per account, and the lockout ends after the window", async () => {
    const { secret } = await userWith2fa("brute@example.com");
    let limited: unknown = null;
    for (let i = 0; i < 14 && !limited; i++) {
      const client = { ...browser, ip: `192.0.2.${i + 1}` };
      const pending = await passwordStep("brute@example.com", client);
      await completeTwoFactorChallenge(f.deps, { pendingToken: pending, code: "000000", client }).catch((e: { code: string }) => {
        if (e.code === "RATE_LIMITED") limited = e;
      });
    }
    expect(limited).toMatchObject({ code: "RATE_LIMITED", message: expect.stringMatching(/Try again in \d+ seconds/) });
    f.clock.advance(6 * 60_000);
    const pending = await passwordStep("brute@example.com");
    await expect(completeTwoFactorChallenge(f.deps, { pendingToken: pending, code: await totpAt(secret, f.clock.now()), client: browser })).resolves.toMatchObject({ status: "signed_in" });
  });

  it("password guessing over many IPs is throttled per account", async () => {
    await signUpAndSignIn(f.deps, { email: "guess@example.com", password: PASSWORD, client: signupClient() });
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) {
      await signInWithPassword(f.deps, { email: "guess@example.com", password: `wrong guess ${i}`, client: { ...browser, ip: `192.0.2.${100 + i}` } }).catch((e: { code: string }) => codes.push(e.code));
    }
    expect(codes.slice(0, 10).every((c) => c === "UNAUTHORIZED")).toBe(true);
    expect(codes.slice(10)).toEqual(["RATE_LIMITED", "RATE_LIMITED"]);
    f.clock.advance(6 * 60_000);
  });

  it("a TOTP secret that fails to decrypt fails the sign-in; it never skips 2FA", async () => {
    const { userId, secret } = await userWith2fa("broken@example.com");
    const other = await f.deps.db.user.findFirstOrThrow({ where: { email: "setup@example.com" } });
    // Another user's ciphertext: bound to that user, so it cannot decrypt here.
    await f.deps.db.user.update({ where: { id: userId }, data: { totpSecret: other.totpSecret } });
    const pending = await passwordStep("broken@example.com");
    const before = await f.deps.db.session.count({ where: { userId } });
    await expect(completeTwoFactorChallenge(f.deps, { pendingToken: pending, code: await totpAt(secret, f.clock.now()), client: browser })).rejects.toMatchObject({ code: "UNAVAILABLE" });
    await f.deps.db.user.update({ where: { id: userId }, data: { totpSecret: "v1:AAAA" } });
    await expect(completeTwoFactorChallenge(f.deps, { pendingToken: pending, code: "123456", client: browser })).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect(await f.deps.db.session.count({ where: { userId } })).toBe(before);
  });

  it("expired challenges are refused and pruned", async () => {
    const { secret } = await userWith2fa("expired@example.com");
    const pending = await passwordStep("expired@example.com");
    f.clock.advance((PENDING_TTL_SECONDS + 1) * 1000);
    await expect(completeTwoFactorChallenge(f.deps, { pendingToken: pending, code: await totpAt(secret, f.clock.now()), client: browser })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await prunePendingTotps(f.deps.db, f.clock.now())).toBeGreaterThanOrEqual(1);
  });
});

describe("backup codes", () => {
  it("a backup code works once", async () => {
    const { backupCodes } = await userWith2fa("backup@example.com");
    await expect(completeTwoFactorChallenge(f.deps, { pendingToken: await passwordStep("backup@example.com"), code: backupCodes[0], client: browser })).resolves.toMatchObject({ status: "signed_in" });
    await expect(completeTwoFactorChallenge(f.deps, { pendingToken: await passwordStep("backup@example.com"), code: backupCodes[0], client: browser })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("the same backup code redeemed in parallel: one success", async () => {
    const { backupCodes } = await userWith2fa("backup-race@example.com");
    const pendings = await Promise.all(Array.from({ length: 5 }, () => passwordStep("backup-race@example.com")));
    const results = await Promise.allSettled(pendings.map((p) => completeTwoFactorChallenge(f.deps, { pendingToken: p, code: backupCodes[1], client: browser })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("regenerating needs sudo and voids the old set", async () => {
    const { backupCodes, caller } = await userWith2fa("regen@example.com");
    const stale = { ...caller, session: { ...caller.session, reauthAt: new Date(f.clock.now().getTime() - 3 * 3600_000) } };
    await expect(regenerateBackupCodes(f.deps, { ...stale, client: browser })).rejects.toMatchObject({ code: "FORBIDDEN", details: { reauthRequired: true } });
    const fresh = { ...caller, session: { ...caller.session, reauthAt: f.clock.now() } };
    const { backupCodes: next } = await regenerateBackupCodes(f.deps, { ...fresh, client: browser });
    await expect(completeTwoFactorChallenge(f.deps, { pendingToken: await passwordStep("regen@example.com"), code: backupCodes[2], client: browser })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(completeTwoFactorChallenge(f.deps, { pendingToken: await passwordStep("regen@example.com"), code: next[0], client: browser })).resolves.toMatchObject({ status: "signed_in" });
  });
});

describe("disable and sudo", () => {
  it("disabling without a recent re-auth is refused; after re-auth it needs a current code", async () => {
    const { userId, secret, caller } = await userWith2fa("disable@example.com");
    f.clock.advance(2 * 3600_000 + 1000);
    const stale = { ...caller, session: { ...caller.session, reauthAt: caller.session.reauthAt } };
    await expect(disableTotp(f.deps, { ...stale, client: browser }, { code: await totpAt(secret, f.clock.now()) })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const re = await reauthenticate(f.deps, { userId, session: { ...caller.session, twoFactor: true }, client: browser }, { password: PASSWORD });
    const oldRow = await f.deps.db.session.findUniqueOrThrow({ where: { id: caller.session.id } });
    expect(oldRow.revokedAt).not.toBeNull(); // re-auth rotates the token
    const fresh = { userId, session: { id: re.sessionId, twoFactor: true, reauthAt: f.clock.now() } };
    await expect(disableTotp(f.deps, { ...fresh, client: browser }, { code: "000000" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    f.clock.advance(STEP);
    await disableTotp(f.deps, { ...fresh, client: browser }, { code: await totpAt(secret, f.clock.now()) });
    const user = await f.deps.db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user.totpEnabled).toBe(false);
    expect(user.totpSecret).toBeNull();
    expect(await f.deps.db.backupCode.count({ where: { userId } })).toBe(0);
    await expect(signInWithPassword(f.deps, { email: "disable@example.com", password: PASSWORD, client: browser })).resolves.toMatchObject({ status: "signed_in" });
  });

  it("re-auth with a wrong password is refused and counted", async () => {
    const { userId, caller } = await userWith2fa("reauth@example.com");
    await expect(reauthenticate(f.deps, { userId, session: { ...caller.session, twoFactor: true }, client: browser }, { password: "not it at all" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    expect((await f.deps.db.rateLimitBucket.findUniqueOrThrow({ where: { key: `reauth:account:${userId}` } })).count).toBe(1);
  });
});
