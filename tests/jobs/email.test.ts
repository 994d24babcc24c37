import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startJobsProcess, type JobsProcess } from "../../src/jobs-process/start-jobs-process";
import { EMAIL_QUEUE } from "../../src/server/mail/email-message";
import { queueEmail } from "../../src/server/mail/queue-email";
import { summariseMime } from "../../src/server/mail/mime-summary";
import type { Services } from "../../src/server/runtime/services";
import { freePort } from "../helpers/free-port";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { testServices } from "./fixtures/test-services";

let t: TestDatabase;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
});
// Each test's jobs process stops before the next starts: two processes with different mail
// settings would both work the same queue.
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => t.drop());

async function jobsProcess(extra: Record<string, string> = {}): Promise<{ services: Services; runtime: JobsProcess }> {
  const services = testServices(t.url, extra);
  const runtime = await startJobsProcess(services, { ticks: false });
  cleanups.push(async () => {
    await runtime.stop();
    await services.close();
  });
  return { services, runtime };
}

describe("development mail catcher", () => {
  it("catches queued mail over real SMTP and stores it readable", async () => {
    const { services, runtime } = await jobsProcess();
    expect(runtime.mail.catcher?.port).toBeGreaterThan(0);
    await queueEmail(services.queue, {
      to: "ada@example.test",
      subject: "New sign-in to your account — Zürich",
      text: "Someone signed in from Zürich.\nNot you? Revoke it.",
      html: "<p>Someone signed in from <b>Zürich</b>.</p>",
      kind: "new-device-alert",
    });
    await expect.poll(() => t.db.caughtMail.count(), { timeout: 15_000 }).toBe(1);
    const mail = await t.db.caughtMail.findFirstOrThrow();
    expect(mail.toAddr).toBe("ada@example.test");
    expect(mail.subject).toBe("New sign-in to your account — Zürich");
    expect(mail.text).toBe("Someone signed in from Zürich.\nNot you? Revoke it.");
    expect(mail.html).toContain("<b>Zürich</b>");
    expect(mail.fromAddr).toContain("no-reply@wisehosting.local");
  });
});

describe("SMTP delivery", () => {
  it("retries while the SMTP server is down and delivers exactly once when it comes back", { timeout: 60_000 }, async () => {
    // Reserved: nothing else can take the port while the SMTP server is "down".
    const port = await freePort();
    const { services } = await jobsProcess({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    // Same handler as queueEmail's jobs; short retry delay so the test does not wait minutes.
    const jobId = await services.queue.send(EMAIL_QUEUE, { to: "bob@example.test", subject: "Hello", text: "plain body", html: "<p>html body</p>", kind: "test" }, { retryLimit: 10, retryDelay: 1 });

    const bossView = (await import("pg-boss")).PgBoss;
    const inspector = new bossView({ connectionString: t.url, supervise: false, schedule: false, max: 1 });
    await inspector.start();
    cleanups.push(() => inspector.stop({ graceful: false }));
    // The first attempts fail (connection refused) and are scheduled for retry, not dropped.
    await expect
      .poll(
        async () => {
          const job = await inspector.getJobById<object>(EMAIL_QUEUE, jobId!);
          return job?.state === "retry" || (job?.retryCount ?? 0) >= 1;
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe(true);

    const received: string[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, _session, callback) {
        let raw = "";
        stream.on("data", (c: Buffer) => (raw += c.toString()));
        stream.on("end", () => {
          received.push(raw);
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));

    await expect.poll(() => received.length, { timeout: 30_000, interval: 200 }).toBe(1);
    await expect.poll(async () => (await inspector.getJobById<object>(EMAIL_QUEUE, jobId!))?.state, { timeout: 10_000 }).toBe("completed");
    const summary = summariseMime(received[0]!);
    expect(summary).toMatchObject({ to: "bob@example.test", subject: "Hello", text: "plain body" });
    expect(summary.html).toBe("<p>html body</p>");
    // The job is completed, so pg-boss will not run it again; this window only gives a second,
    // wrongly sent copy time to arrive (it can fail only if one does).
    await new Promise((r) => setTimeout(r, 1_500));
    expect(received).toHaveLength(1);
  });
});
