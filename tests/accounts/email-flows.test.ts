import { PgBoss } from "pg-boss";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmEmailLink, inspectEmailLink } from "../../src/server/auth/confirm-email-link";
import { cancelEmailChange, requestEmailChange } from "../../src/server/auth/email-change";
import { EMAIL_LINK_TTL_SECONDS, signEmailLink } from "../../src/server/auth/email-link";
import { signInWithPassword } from "../../src/server/auth/sign-in-password";
import { signUp } from "../../src/server/auth/sign-up";
import { freePort } from "../../src/net/free-port";
import { deliverEmail } from "../../src/server/mail/deliver-email";
import { EMAIL_QUEUE } from "../../src/server/mail/email-message";
import { createSmtpTransport } from "../../src/server/mail/mail-transport";
import { summariseMime } from "../../src/server/mail/mime-summary";
import { accountFixture, browser, signUpAndSignIn, TEST_SECRET, type AccountFixture } from "./account-fixture";

/**
 * Issue 12 items 14 and 15 through the real mailer: queued on pg-boss, sent over SMTP to a real
 * server, links read back out of the received messages.
 */
let f: AccountFixture;
let boss: PgBoss;
let smtp: SMTPServer;
let smtpPort: number;
const inbox: { to: string; subject: string; text: string }[] = [];

beforeAll(async () => {
  f = await accountFixture({ env: { ADMIN_EMAILS: "ops@example.com,new-ops@example.com" } });
  boss = new PgBoss({ connectionString: f.testDb.url, supervise: false, schedule: false });
  // pg-boss reports connection trouble as 'error' events; unheard, one would fail the whole run.
  boss.on("error", (err) => console.warn(`pg-boss: ${err.message}`));
  await boss.start();
  if (!(await boss.getQueue(EMAIL_QUEUE))) await boss.createQueue(EMAIL_QUEUE);
  smtpPort = await freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (c: Buffer) => (raw += c.toString()));
      stream.on("end", () => {
        const mail = summariseMime(raw);
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address).join(","), subject: mail.subject, text: mail.text });
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

/** Sends everything queued through the real SMTP server; returns what arrived. */
async function deliver() {
  const transport = createSmtpTransport(`smtp://127.0.0.1:${smtpPort}`);
  const before = inbox.length;
  for (;;) {
    const jobs = (await boss.fetch(EMAIL_QUEUE, { batchSize: 20 })) ?? [];
    if (jobs.length === 0) break;
    for (const job of jobs) {
      await deliverEmail(transport, f.config.MAIL_FROM, job.data, { retryCount: 0, retryLimit: 0 }, f.deps.log);
      await boss.complete(EMAIL_QUEUE, job.id);
    }
  }
  transport.close();
  return inbox.slice(before);
}

function tokenIn(text: string): string {
  const match = /http:\/\/localhost:3999\/confirm-email\?token=([0-9a-zA-Z.%]+)/.exec(text);
  if (!match) throw new Error(`no confirmation link in: ${text.slice(0, 400)}`);
  return decodeURIComponent(match[1]!);
}

const user = (email: string) => f.deps.db.user.findUniqueOrThrow({ where: { email } });
let ip = 0;
const client = () => ({ ...browser, ip: `10.44.0.${++ip}` });

describe("email verification (item 14)", () => {
  it("sign-up mails a signed link; GET changes nothing; the POST proves the address; ADMIN_EMAILS applies only then", async () => {
    await signUpAndSignIn(f.deps, { email: "ops@example.com", password: "violet canyon marble", client: client() });
    const [mail] = await deliver();
    expect(mail).toMatchObject({ to: "ops@example.com", subject: "Confirm your email address for WiseHosting" });
    expect((await user("ops@example.com")).role).toBe("user");

    const token = tokenIn(mail!.text);
    expect(await inspectEmailLink(f.deps, { token })).toEqual({ kind: "verify", email: "ops@example.com", done: false });
    expect(await inspectEmailLink(f.deps, { token })).toMatchObject({ done: false });
    expect((await user("ops@example.com")).emailVerifiedAt).toBeNull();

    expect(await confirmEmailLink(f.deps, { token, client: browser })).toBe(true);
    const verified = await user("ops@example.com");
    expect(verified.emailVerifiedAt).not.toBeNull();
    expect(verified.role).toBe("admin");
    expect(await f.deps.db.auditEvent.count({ where: { userId: verified.id, kind: "email_verified" } })).toBe(1);
    // Pressing it again is harmless.
    expect(await confirmEmailLink(f.deps, { token, client: browser })).toBe(true);
    expect(await inspectEmailLink(f.deps, { token })).toMatchObject({ done: true });
  });

  it("tampered, expired, another account's and garbage links are all refused the same way", async () => {
    await signUp(f.deps, { email: "dee@example.com", password: "amber kettle plains", client: client() });
    await signUp(f.deps, { email: "eve@example.com", password: "cobalt willow tides", client: client() });
    const [deeMail] = (await deliver()).filter((m) => m.to === "dee@example.com");
    const good = tokenIn(deeMail!.text);
    const dee = await user("dee@example.com");
    const eve = await user("eve@example.com");
    const [p, , unix, sig] = good.split(".") as [string, string, string, string];
    const now = f.clock.now();
    const bad: unknown[] = [
      `${p}.${eve.id}.${unix}.${sig}`, // another account's id under dee's signature
      `${p}.${dee.id}.${unix}.${sig.slice(0, -1)}${sig.endsWith("0") ? "1" : "0"}`,
      `c.${dee.id}.${unix}.${sig}`, // a verify link used as a change link
      signEmailLink(TEST_SECRET, "verify", dee.id, "someone-else@example.com", now), // signed for another address
      signEmailLink("another-secret-another-secret-0123456789", "verify", dee.id, "dee@example.com", now),
      signEmailLink(TEST_SECRET, "verify", dee.id, "dee@example.com", new Date(now.getTime() - (EMAIL_LINK_TTL_SECONDS.verify + 1) * 1000)),
      "garbage",
      "",
      good + ".extra",
      "x".repeat(10_000),
      { token: good },
    ];
    for (const token of bad) {
      expect(await inspectEmailLink(f.deps, { token })).toBeNull();
      expect(await confirmEmailLink(f.deps, { token, client: browser })).toBe(false);
    }
    expect((await user("dee@example.com")).emailVerifiedAt).toBeNull();
    expect((await user("eve@example.com")).emailVerifiedAt).toBeNull();
  });
});

describe("sign-up with a taken address (item 15)", () => {
  it("answers exactly as for a new address, creates nothing, keeps the owner's password, and mails the owner instead", async () => {
    await signUpAndSignIn(f.deps, { email: "owner@example.com", password: "juniper signal harbor", client: client() });
    await deliver();
    const fresh = await signUp(f.deps, { email: "brand-new@example.com", password: "attacker chosen words", client: client() });
    const taken = await signUp(f.deps, { email: "Owner@Example.com", password: "attacker chosen words", client: client() });
    expect(taken).toEqual(fresh);
    expect(taken).toEqual({ status: "check_email" });
    const mails = await deliver();
    expect(mails.map((m) => [m.to, m.subject]).sort()).toEqual([
      ["brand-new@example.com", "Confirm your email address for WiseHosting"],
      ["owner@example.com", "Someone tried to sign up with your address"],
    ]);
    expect(await f.deps.db.user.count({ where: { email: "owner@example.com" } })).toBe(1);
    await expect(signInWithPassword(f.deps, { email: "owner@example.com", password: "attacker chosen words", client: client() })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(signInWithPassword(f.deps, { email: "owner@example.com", password: "juniper signal harbor", client: client() })).resolves.toMatchObject({ status: "signed_in" });
    const owner = await user("owner@example.com");
    expect(await f.deps.db.auditEvent.count({ where: { userId: owner.id, kind: "signup_attempt_existing" } })).toBe(1);

    // Repeated attempts cannot flood the owner's inbox: at most 3 notices an hour.
    for (let i = 0; i < 4; i++) expect(await signUp(f.deps, { email: "owner@example.com", password: "attacker chosen words", client: client() })).toEqual({ status: "check_email" });
    const notices = (await deliver()).filter((m) => m.to === "owner@example.com" && m.subject === "Someone tried to sign up with your address");
    expect(notices).toHaveLength(2);
  });
});

describe("email change (item 15)", () => {
  async function signedIn(email: string) {
    const signed = await signUpAndSignIn(f.deps, { email, password: "saffron meadow drums", client: client() });
    await deliver();
    return { userId: signed.userId, session: { id: signed.sessionId, twoFactor: false, reauthAt: f.clock.now() }, client: browser };
  }

  it("needs the link mailed to the new address; the old address is told; a newer request or a cancel voids older links", async () => {
    const actor = await signedIn("mover@example.com");
    await expect(requestEmailChange(f.deps, { ...actor, session: { ...actor.session, reauthAt: null } }, { email: "moved@example.com" })).rejects.toMatchObject({
      details: { reauthRequired: true },
    });
    expect(await requestEmailChange(f.deps, actor, { email: "first-try@example.com" })).toEqual({ email: "mover@example.com", pendingEmail: "first-try@example.com" });
    const firstMails = await deliver();
    const firstLink = tokenIn(firstMails.find((m) => m.to === "first-try@example.com")!.text);
    const notice = firstMails.find((m) => m.to === "mover@example.com")!;
    expect(notice.subject).toBe("Your WiseHosting sign-in email is about to change");
    expect(notice.text).toContain("first-try@example.com");

    // A second request replaces the first; the first link no longer works.
    await requestEmailChange(f.deps, actor, { email: "ops2@example.com" });
    const second = await deliver();
    expect(second.map((m) => m.to).sort()).toEqual(["mover@example.com", "ops2@example.com"]);
    expect(await confirmEmailLink(f.deps, { token: firstLink, client: browser })).toBe(false);
    const secondLink = tokenIn(second.find((m) => m.to === "ops2@example.com")!.text);
    await cancelEmailChange(f.deps, actor);
    expect(await inspectEmailLink(f.deps, { token: secondLink })).toBeNull();
    expect(await confirmEmailLink(f.deps, { token: secondLink, client: browser })).toBe(false);
    expect((await f.deps.db.user.findUniqueOrThrow({ where: { id: actor.userId } })).email).toBe("mover@example.com");

    // Requested again and confirmed: now the address changes, proven.
    await requestEmailChange(f.deps, actor, { email: "new-ops@example.com" });
    const third = await deliver();
    const link = tokenIn(third.find((m) => m.to === "new-ops@example.com")!.text);
    expect(await inspectEmailLink(f.deps, { token: link })).toEqual({ kind: "change", email: "new-ops@example.com", done: false });
    expect((await f.deps.db.user.findUniqueOrThrow({ where: { id: actor.userId } })).email).toBe("mover@example.com");
    expect(await confirmEmailLink(f.deps, { token: link, client: browser })).toBe(true);
    const moved = await f.deps.db.user.findUniqueOrThrow({ where: { id: actor.userId } });
    expect(moved).toMatchObject({ email: "new-ops@example.com", pendingEmail: null, role: "admin" });
    expect(moved.emailVerifiedAt).not.toBeNull();
    expect(await confirmEmailLink(f.deps, { token: link, client: browser })).toBe(true);
    expect(await f.deps.db.auditEvent.count({ where: { userId: actor.userId, kind: "email_changed" } })).toBe(1);
  });

  it("an address another account took in the meantime cannot be confirmed", async () => {
    const actor = await signedIn("slow@example.com");
    await requestEmailChange(f.deps, actor, { email: "contested@example.com" });
    const link = tokenIn((await deliver()).find((m) => m.to === "contested@example.com")!.text);
    await signUp(f.deps, { email: "contested@example.com", password: "quartz lantern fields", client: client() });
    expect(await confirmEmailLink(f.deps, { token: link, client: browser })).toBe(false);
    expect((await f.deps.db.user.findUniqueOrThrow({ where: { id: actor.userId } })).email).toBe("slow@example.com");
  });
});
