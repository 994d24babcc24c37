import { afterAll, beforeAll, expect, it } from "vitest";
import { signUp } from "../../src/server/auth/sign-up";
import { accountFixture, browser, type AccountFixture } from "./account-fixture";

let f: AccountFixture;
beforeAll(async () => {
  f = await accountFixture();
});
afterAll(async () => f.close());

it("simultaneous first sign-ups make exactly one admin", async () => {
  const results = await Promise.allSettled(
    Array.from({ length: 6 }, (_, i) => signUp(f.deps, { email: `racer${i}@example.com`, password: "tundra mosaic lantern", client: { ...browser, ip: `10.1.0.${i + 1}` } })),
  );
  expect(results.every((r) => r.status === "fulfilled")).toBe(true);
  expect(await f.deps.db.user.count({ where: { role: "admin" } })).toBe(1);
  expect(await f.deps.db.user.count()).toBe(6);
});
