import { PgBoss } from "pg-boss";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInWithPassword } from "../../src/server/auth/sign-in-password";
import { resolveCaller } from "../../src/server/auth/resolve-caller";
import { freePort } from "../../src/net/free-port";
import { deliverEmail } from "../../src/server/mail/deliver-email";
import { EMAIL_QUEUE } from "../../src/server/mail/email-message";
import { createSmtpTransport } from "../../src/server/mail/mail-transport";
import { PLATFORM_EVENTS_QUEUE } from "../../src/server/events/platform-events";
import { inspectRevokeLink, revokeByLink } from "../../src/server/sessions/revoke-by-link";
import { REVOKE_LINK_TTL_SECONDS, signRevokeToken, verifyRevokeToken } from "../../src/server/sessions/revoke-link";
import { completeTwoFactorChallenge } from "../../src/server/two-factor/complete-challenge";
import { beginTotpSetup, enableTotp } from "../../src/server/two-factor/manage-totp";
import { accountFixture, browser, cookieFrom, signUpAndSignIn, TEST_SECRET, totpAt, type AccountFixture } from "./account-fixture";

let f: AccountFixture;
let boss: PgBoss;
let smtp: SMTPServer;
let smtpPort: number;
const received: { to: string; raw: string }[] = [];
const PASSWORD = "copper willow signal";

beforeAll(async () => {
  f = await accountFixture();
  boss = new PgBoss({ connectionString: f.testDb.url, supervise: false, schedule: false });
  // pg-boss reports connection trouble as 'error' events; unheard, one would fail the whole run.
  boss.on("error", (err) => console.warn(`pg-boss: ${err.message}`));
  await boss.start();
  for (const q of [EMAIL_QUEUE, PLATFORM_EVENTS_QUEUE]) if (!(await boss.getQueue(q))) await boss.createQueue(q);
  smtpPort = await freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (c: Buffer) => (raw += c.toString()));
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(","), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(smtpPort, "127.0.0.1", resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await boss.stop({ graceful: false });
  await f.close();
});

/** Takes the queued email jobs off pg-boss and sends them through a real SMTP server. */
async function deliverQueuedMail() {
  const transport = createSmtpTransport(`smtp://127.0.0.1:${smtpPort}`);
  const jobs = (await boss.fetch(EMAIL_QUEUE, { batchSize: 20 })) ?? [];
  for (const job of jobs) {
    await deliverEmail(transport, f.config.MAIL_FROM, job.data, { retryCount: 0, retryLimit: 0 }, f.deps.log);
    await boss.complete(EMAIL_QUEUE, job.id);
  }
  transport.close();
  return jobs.length;
}

function revokeUrlFrom(raw: string): string {
  const unfolded = raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
  const match = /http:\/\/localhost:3999\/revoke\?token=([0-9A-Za-z%]+)/.exec(unfolded);
  if (!match) throw new Error("no revoke link in the email");
  return decodeURIComponent(match[1]!);
}

describe("new-device email", () => {
  it("a sign-in from an address with no earlier event queues one email with a working revoke link and emits the event", async () => {
    await signUpAndSignIn(f.deps, { email: "alice@example.com", password: PASSWORD, client: browser });
    // The sign-up's own mail is the address verification; the sign-in from the sign-up's address
    // is not new and sends nothing more.
    expect(await deliverQueuedMail()).toBe(1);
    expect(received.at(-1)!.raw).toMatch(/Confirm your email address/);
    await signInWithPassword(f.deps, { email: "alice@example.com", password: PASSWORD, client: browser });
    expect(await deliverQueuedMail()).toBe(0);

    const stranger = { ip: "203.0.113.99", userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15" };
    const signed = await signInWithPassword(f.deps, { email: "alice@example.com", password: PASSWORD, client: stranger });
    expect(signed.status).toBe("signed_in");
    expect(await deliverQueuedMail()).toBe(1);
    const mail = received.at(-1)!;
    expect(mail.to).toBe("alice@example.com");
    expect(mail.raw).toContain("203.0.113.99");
    expect(mail.raw).toMatch(/Safari/);
    expect(mail.raw).toMatch(/macOS/);
    expect(mail.raw).toMatch(/Content-Type: text\/plain/);
    expect(mail.raw).toMatch(/Content-Type: text\/html/);

    const events = (await boss.fetch(PLATFORM_EVENTS_QUEUE, { batchSize: 10 })) ?? [];
    expect(events.map((e) => (e.data as { type: string }).type)).toContain("account.login_new_device");

    // The link: GET-equivalent inspection changes nothing; the POST revokes that one session.
    const token = revokeUrlFrom(mail.raw);
    const sessionId = (signed as { sessionId: number }).sessionId;
    const target = await inspectRevokeLink(f.deps, { token });
    expect(target).toMatchObject({ sessionId, ip: "203.0.113.99", alreadyRevoked: false });
    await inspectRevokeLink(f.deps, { token });
    const cookie = cookieFrom((signed as { setCookie: string }).setCookie);
    const services = { config: f.config, db: f.deps.db, log: f.deps.log };
    expect((await resolveCaller(services, { cookieHeader: cookie, now: f.clock.now() })).user).not.toBeNull();

    expect(await revokeByLink(f.deps, { token, client: browser })).toBe(true);
    expect(await revokeByLink(f.deps, { token, client: browser })).toBe(true); // harmless repeat
    expect((await resolveCaller(services, { cookieHeader: cookie, now: f.clock.now() })).user).toBeNull();
    expect(await f.deps.db.auditEvent.count({ where: { kind: "session_revoked", targetId: String(sessionId) } })).toBe(1);

    // A second sign-in from that address is no longer new.
    await signInWithPassword(f.deps, { email: "alice@example.com", password: PASSWORD, client: stranger });
    expect(await deliverQueuedMail()).toBe(0);
  });
});

describe("new-device email with 2FA", () => {
  it("the challenge's own events (backup code, failed attempts) do not make the address look familiar", async () => {
    const signed = await signUpAndSignIn(f.deps, { email: "dora@example.com", password: PASSWORD, client: { ...browser, ip: "10.0.0.9" } });
    expect(await deliverQueuedMail()).toBe(1); // the address verification
    const caller = { userId: signed.userId, session: { id: signed.sessionId, twoFactor: false, reauthAt: f.clock.now() } };
    const { secret } = await beginTotpSetup(f.deps, caller);
    const { backupCodes } = await enableTotp(f.deps, { ...caller, client: { ...browser, ip: "10.0.0.9" } }, { code: await totpAt(secret, f.clock.now()) });
    const attacker = { ...browser, ip: "203.0.113.150" };
    await signInWithPassword(f.deps, { email: "dora@example.com", password: "wrong guess here", client: attacker }).catch(() => undefined);
    const step = await signInWithPassword(f.deps, { email: "dora@example.com", password: PASSWORD, client: attacker });
    const pending = /^wh_2fa_pending=([^;]+)/.exec((step as { setCookie: string }).setCookie)![1]!;
    await completeTwoFactorChallenge(f.deps, { pendingToken: pending, code: backupCodes[0], client: attacker });
    expect(await deliverQueuedMail()).toBe(1);
    expect(received.at(-1)!.raw).toContain("203.0.113.150");
  });
});

describe("revoke tokens", () => {
  it("tampered, 72 h + 1 s old, another user's session, garbage: all refused the same way, nothing changes", async () => {
    const bob = await signUpAndSignIn(f.deps, { email: "bob@example.com", password: PASSWORD, client: { ...browser, ip: "10.0.0.2" } });
    const carol = await signUpAndSignIn(f.deps, { email: "carol@example.com", password: PASSWORD, client: { ...browser, ip: "10.0.0.3" } });
    const now = f.clock.now();
    const good = signRevokeToken(TEST_SECRET, bob.userId, bob.sessionId, now);
    expect(verifyRevokeToken(TEST_SECRET, good, now)).toEqual({ userId: bob.userId, sessionId: bob.sessionId });

    const [u, s, t, sig] = good.split(":") as [string, string, string, string];
    const bad: unknown[] = [
      `${u}:${carol.sessionId}:${t}:${sig}`, // ids changed under the signature
      `${u}:${s}:${t}:${sig.slice(0, -1)}${sig.endsWith("0") ? "1" : "0"}`,
      signRevokeToken(TEST_SECRET, bob.userId, carol.sessionId, now), // validly signed, but not bob's session
      signRevokeToken("some-other-secret-some-other-secret-123", bob.userId, bob.sessionId, now),
      "garbage",
      "",
      "1:2:3:4",
      good + ":extra",
      "x".repeat(10_000),
      { token: good },
    ];
    for (const token of bad) {
      expect(verifyRevokeToken(TEST_SECRET, token, now) === null || (await inspectRevokeLink(f.deps, { token })) === null).toBe(true);
      expect(await inspectRevokeLink(f.deps, { token })).toBeNull();
      expect(await revokeByLink(f.deps, { token, client: browser })).toBe(false);
    }
    const later = new Date(now.getTime() + (REVOKE_LINK_TTL_SECONDS + 1) * 1000);
    expect(verifyRevokeToken(TEST_SECRET, good, later)).toBeNull();
    expect(verifyRevokeToken(TEST_SECRET, good, new Date(now.getTime() + REVOKE_LINK_TTL_SECONDS * 1000))).not.toBeNull();
    const sessions = await f.deps.db.session.findMany({ where: { id: { in: [bob.sessionId, carol.sessionId] } } });
    expect(sessions.every((row) => row.revokedAt === null)).toBe(true);
  });
});
