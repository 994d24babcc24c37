import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { claimSetup, currentSetupToken } from "../../src/server/auth/setup-token";
import { announceSetupToken } from "../../src/web/announce-setup";
import { accountFixture, browser, signUpAndSignIn, type AccountFixture } from "./account-fixture";

/**
 * Issue 12 item 14: the first administrator is whoever enters the installation's setup token
 * (printed by npm start, logged by the web process), never whoever signs up first. This test used
 * to prove "simultaneous first sign-ups make exactly one admin"; that rule is the bug now.
 */
let f: AccountFixture;
beforeAll(async () => {
  f = await accountFixture();
});
afterAll(async () => f.close());

async function racers(n: number) {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const signed = await signUpAndSignIn(f.deps, { email: `racer${i}@example.com`, password: "tundra mosaic lantern", client: { ...browser, ip: `10.1.0.${i + 1}` } });
      return { userId: signed.userId, session: { id: signed.sessionId, twoFactor: false, reauthAt: f.clock.now() }, client: { ...browser, ip: `10.1.0.${i + 1}` } };
    }),
  );
}

/** What the web process logs at start (src/web/announce-setup.ts). */
async function webLog(): Promise<string> {
  let out = "";
  const sink = new Writable({ write: (chunk, _enc, done) => ((out += chunk.toString()), done()) });
  await announceSetupToken(f.deps, pino({ level: "info" }, sink));
  return out;
}

it("sign-ups make no administrator; the web process logs the token; a wrong token is refused", async () => {
  const [first] = await racers(1);
  expect(await f.deps.db.user.count({ where: { role: "admin" } })).toBe(0);
  const token = await currentSetupToken(f.deps);
  expect(token).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}$/);
  const logged = await webLog();
  expect(logged).toContain(token!);
  expect(logged).toContain("http://localhost:3999/setup");
  // Every process derives the same token: asking again gives the same one.
  expect(await currentSetupToken(f.deps)).toBe(token);
  await expect(claimSetup(f.deps, first!, { token: "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  await expect(claimSetup(f.deps, first!, { token: "not a token" })).rejects.toThrow(/24 letters and digits/);
  expect(await f.deps.db.user.count({ where: { role: "admin" } })).toBe(0);
});

it("simultaneous claims with the right token make exactly one admin; the token never works again", async () => {
  const token = (await currentSetupToken(f.deps))!;
  const callers = await racers(6);
  // Typed back in lower case, without dashes: still the token.
  const results = await Promise.allSettled(callers.map((c) => claimSetup(f.deps, c, { token: token.toLowerCase().replace(/-/g, " ") })));
  expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  for (const r of results.filter((r) => r.status === "rejected")) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "CONFLICT" });
  expect(await f.deps.db.user.count({ where: { role: "admin" } })).toBe(1);
  const setup = await f.deps.db.platformSetup.findUniqueOrThrow({ where: { id: 1 } });
  expect(setup.completedAt).not.toBeNull();
  expect(await f.deps.db.auditEvent.count({ where: { kind: "admin_granted", userId: setup.completedByUserId! } })).toBe(1);
  // Setup is over: nothing to print or log, and the same token is refused even after the admin is demoted.
  expect(await currentSetupToken(f.deps)).toBeNull();
  expect(await webLog()).toBe("");
  await f.deps.db.user.updateMany({ where: { role: "admin" }, data: { role: "user" } });
  expect(await currentSetupToken(f.deps)).toBeNull();
  await expect(claimSetup(f.deps, callers[0]!, { token })).rejects.toMatchObject({ code: "CONFLICT" });
});
