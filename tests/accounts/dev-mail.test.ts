import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setUpMail } from "../../src/jobs-process/mail-setup";
import { loadConfig } from "../../src/server/config/config";
import { startMailCatcher, type MailCatcher } from "../../src/server/mail/mail-catcher";
import { mailCatcherAllowed } from "../../src/server/mail/mail-catcher-mode";
import { createSmtpTransport } from "../../src/server/mail/mail-transport";
import type { Services } from "../../src/server/runtime/services";
import { createSession } from "../../src/server/sessions/create-session";
import { sessionSetCookie } from "../../src/server/sessions/session-cookie";
import { accountFixture, browser, cookieFrom, type AccountFixture } from "./account-fixture";
import { installServices, TrpcTestClient } from "./trpc-client";

/**
 * Issue 12 item 8: the development mail catcher shows each user only mail sent to their own
 * address (administrators see all), and never exists because NODE_ENV was simply left unset.
 * Mail reaches the real catcher over real SMTP; the inbox is read through the real tRPC handler.
 */
let f: AccountFixture;
let services: Services;
let catcher: MailCatcher;

beforeAll(async () => {
  f = await accountFixture();
  services = installServices(f.config);
  catcher = await startMailCatcher(f.deps.db);
});
afterAll(async () => {
  await catcher.stop();
  await services.close();
  await f.close();
});

async function clientFor(email: string, role: "user" | "admin" = "user"): Promise<TrpcTestClient> {
  const user = await f.deps.db.user.create({ data: { email, role } });
  const session = await createSession(f.deps.db, { userId: user.id, twoFactor: false, client: browser });
  const c = new TrpcTestClient(f.config.PUBLIC_URL);
  const [name, value] = cookieFrom(await sessionSetCookie(f.config, session.token)).split("=") as [string, string];
  c.jar.set(name, value);
  return c;
}

async function send(to: string, subject: string) {
  const transport = createSmtpTransport(`smtp://${catcher.host}:${catcher.port}`);
  try {
    await transport.send({ from: "WiseHosting <no-reply@wisehosting.local>", to, subject, html: `<p>${subject}</p>`, text: subject });
  } finally {
    transport.close();
  }
}

type Listed = { id: number; subject: string; toAddr: string }[];

describe("caught mail is shown to its recipient only", () => {
  it("each user lists and opens only their own messages; another's id is not found; an admin sees all", async () => {
    const bob = await clientFor("bob@example.com");
    const evilbob = await clientFor("evilbob@example.com");
    const admin = await clientFor("root@example.com", "admin");
    await send("bob@example.com", "Revoke link for bob");
    await send("evilbob@example.com", "Hello evilbob");
    await send("carol@example.com, BOB@example.com", "To carol and bob");
    await expect.poll(() => f.deps.db.caughtMail.count(), { timeout: 15_000 }).toBe(3);

    const bobs = await bob.query<Listed>("devMail.list");
    expect(bobs.map((m) => m.subject).sort()).toEqual(["Revoke link for bob", "To carol and bob"]);
    const evilbobs = await evilbob.query<Listed>("devMail.list");
    // "bob@example.com" is inside "evilbob@example.com": recipients match whole, never as substrings.
    expect(evilbobs.map((m) => m.subject)).toEqual(["Hello evilbob"]);

    const bobsMail = bobs.find((m) => m.subject === "Revoke link for bob")!;
    await expect(evilbob.query("devMail.get", { id: bobsMail.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(bob.query("devMail.get", { id: bobsMail.id })).resolves.toMatchObject({ subject: "Revoke link for bob" });

    expect((await admin.query<Listed>("devMail.list")).map((m) => m.subject).sort()).toEqual(["Hello evilbob", "Revoke link for bob", "To carol and bob"]);
    await expect(admin.query("devMail.get", { id: bobsMail.id })).resolves.toMatchObject({ subject: "Revoke link for bob" });
  });
});

describe("the catcher needs an explicit development or test mode", () => {
  const env = (extra: Record<string, string>) =>
    loadConfig({ DATABASE_URL: f.testDb.url, APP_SECRET: "mail-mode-secret-0123456789-abcdefghij", DATA_DIR: mkdtempSync(join(tmpdir(), "wh-mailmode-")), LOG_LEVEL: "silent", ...extra });

  it("NODE_ENV and WH_ENV unset: no catcher, no inbox", async () => {
    const unset = env({});
    expect(unset.NODE_ENV).toBe("development");
    expect(mailCatcherAllowed(unset)).toBe(false);
    const mail = await setUpMail(unset, f.deps.db, pino({ level: "silent" }));
    expect(mail.catcher).toBeNull();
    await mail.stop();
    const { listCaughtMail } = await import("../../src/server/mail/caught-mail-service");
    await expect(listCaughtMail({ db: f.deps.db, config: unset }, { email: "root@example.com", role: "admin" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("WH_ENV=development (what npm start sets) or NODE_ENV=test: the catcher runs; production never", async () => {
    expect(mailCatcherAllowed(env({ WH_ENV: "development" }))).toBe(true);
    expect(mailCatcherAllowed(env({ NODE_ENV: "test" }))).toBe(true);
    expect(mailCatcherAllowed(env({ NODE_ENV: "production", WORKER_REGISTRATION_TOKEN: "w".repeat(20), TRAEFIK_PROXY_TOKEN: "t".repeat(20) }))).toBe(false);
    const mail = await setUpMail(env({ WH_ENV: "development" }), f.deps.db, pino({ level: "silent" }));
    expect(mail.catcher?.port).toBeGreaterThan(0);
    await mail.stop();
  });
});
