import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { generate } from "otplib";
import type { AccountDeps } from "../../src/server/auth/account-deps";
import type { ClientInfo } from "../../src/server/auth/client-context";
import type { SignedIn } from "../../src/server/auth/complete-sign-in";
import { signInWithPassword } from "../../src/server/auth/sign-in-password";
import { signUp } from "../../src/server/auth/sign-up";
import { createBus } from "../../src/server/bus/create-bus";
import { loadConfig, type AppConfig } from "../../src/server/config/config";
import { SecretCipher } from "../../src/server/crypto/secret-cipher";
import { createEventSink } from "../../src/server/events/event-sink";
import { QueueSender } from "../../src/server/queue/queue-sender";
import { PostgresRateLimiter } from "../../src/server/rate-limit/postgres-rate-limiter";
import type { RateLimiter } from "../../src/server/rate-limit/rate-limiter";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

/** A controllable clock: tests move time instead of sleeping. */
export class TestClock {
  constructor(private current = new Date("2026-06-01T12:00:00Z")) {}
  now = () => new Date(this.current);
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date) {
    this.current = new Date(date);
  }
}

export interface AccountFixture {
  testDb: TestDatabase;
  config: AppConfig;
  clock: TestClock;
  deps: AccountDeps;
  close(): Promise<void>;
}

export const TEST_SECRET = "test-app-secret-0123456789-abcdefghijklmnop";

/** Real Postgres (a fresh database), real pg-boss sender, real bus, Postgres rate limits, a test clock. */
export async function accountFixture(overrides: { env?: Record<string, string>; limiter?: RateLimiter } = {}): Promise<AccountFixture> {
  const testDb = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: testDb.url,
    APP_SECRET: TEST_SECRET,
    PUBLIC_URL: "http://localhost:3999",
    DATA_DIR: mkdtempSync(join(tmpdir(), "wh-accounts-")),
    LOG_LEVEL: "silent",
    // Fake repository URLs (tests/apps/session-streams.test.ts): the reachability check has its own tests.
    REPO_CHECK_ENABLED: "0",
    ...overrides.env,
  });
  const clock = new TestClock();
  const queue = new QueueSender(testDb.url);
  const log = pino({ level: "silent" });
  const limiter = overrides.limiter ?? new PostgresRateLimiter(testDb.db, clock.now);
  const bus = createBus({ databaseUrl: testDb.url, log });
  const deps: AccountDeps = {
    db: testDb.db,
    config,
    log,
    cipher: new SecretCipher(config.APP_SECRET),
    queue,
    events: createEventSink(queue, log),
    limiter,
    now: clock.now,
    bus,
  };
  return {
    testDb,
    config,
    clock,
    deps,
    async close() {
      await bus.close();
      await queue.close();
      await limiter.close();
      await testDb.drop();
    },
  };
}

export const browser = { ip: "198.51.100.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36" };

/** `name=value` for a Cookie header, from a Set-Cookie header. */
export function cookieFrom(setCookie: string): string {
  return setCookie.split(";")[0]!;
}

/** The TOTP code for a secret at a given time (what an authenticator app shows). */
export function totpAt(secret: string, at: Date): Promise<string> {
  return generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
}

/**
 * What the sign-up form does: sign-up answers "check your email" whether or not the address is
 * taken and sets no session, then the new account signs in with its password.
 */
export async function signUpAndSignIn(deps: AccountDeps, input: { email: string; password: string; client: ClientInfo; name?: string }): Promise<SignedIn> {
  const answer = await signUp(deps, input);
  if (answer.status !== "check_email") throw new Error(`unexpected sign-up answer ${JSON.stringify(answer)}`);
  const signed = await signInWithPassword(deps, { email: input.email, password: input.password, client: input.client });
  if (signed.status !== "signed_in") throw new Error(`sign-in after sign-up stopped at ${signed.status}`);
  return signed;
}
