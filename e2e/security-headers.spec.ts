import { request as httpRequest } from "node:http";
import { expect, test } from "./support/fixtures";

/**
 * Issue 12 items 2 and 16 against the running web process (src/web/front-door.ts in front of
 * Next.js): every page carries a CSP whose per-response nonce Next.js put on each of its scripts,
 * the page still hydrates under it (the fixture's goto waits for that), and a request addressed
 * to another name is refused before Next.js sees it.
 */
test("pages carry a nonce CSP that every script satisfies, and hydrate with no violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  const response = await page.goto("/sign-in");
  const headers = response!.headers();
  const csp = headers["content-security-policy"] ?? "";
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("'strict-dynamic'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("same-origin");
  expect(headers["x-frame-options"]).toBe("DENY");
  // Plain http on localhost: no HSTS.
  expect(headers["strict-transport-security"]).toBeUndefined();
  const nonces = await page.locator("script").evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).nonce));
  expect(nonces.length).toBeGreaterThan(0);
  expect(new Set(nonces)).toEqual(new Set([nonce]));
  // The form works under the policy: a wrong password gets the server's answer.
  await page.getByLabel("Email").fill("nobody@example.com");
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Email or password is incorrect")).toBeVisible();
  const again = await page.goto("/sign-up");
  expect(again!.headers()["content-security-policy"]).not.toContain(`'nonce-${nonce}'`);
  expect(violations).toEqual([]);
});

test("a request addressed to another name (DNS rebinding) is refused with the setting to change", async ({ platform }) => {
  const url = new URL(platform.webUrl);
  const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: Number(url.port), path: "/api/trpc/auth.me", headers: { host: `rebind.attacker.example:${url.port}` }, setHost: false }, (r) => {
      let body = "";
      r.on("data", (c: Buffer) => (body += c.toString()));
      r.on("end", () => resolve({ status: r.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
  expect(res.status).toBe(421);
  expect(res.body).toMatch(/PUBLIC_URL/);
  expect(res.body).toMatch(/ALLOWED_HOSTS/);
});
