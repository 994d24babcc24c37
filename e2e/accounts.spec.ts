import type { Browser, BrowserContext, Page } from "@playwright/test";
import { generate } from "otplib";
import { expect, sentMail, test } from "./support/fixtures";

/**
 * Issue 3, "Done when": accounts end to end in Chromium against the started platform, with the
 * new-device email received by the real SMTP server the global setup starts.
 */
const email = `owner-${Date.now()}@example.com`;
const password = "orbit canyon velvet 42";
const strangerIp = "203.0.113.77";
let secret = "";
let backupCodes: string[] = [];

test.describe.configure({ mode: "serial" });

async function fillSignIn(page: Page) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A TOTP code for `stepsAhead` steps from now (±1 is accepted; a used step never again). */
function code(stepsAhead = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAhead * 30 });
}

async function contextFrom(browser: Browser, baseURL: string, ip: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": ip } });
}

async function passChallenge(page: Page, value: string) {
  await expect(page).toHaveURL(/\/two-factor/);
  await page.getByLabel("Authentication code").fill(value);
  await page.getByRole("button", { name: "Verify" }).click();
}

function revokeLinkFrom(raw: string): string {
  const unfolded = raw.replace(/=\r?\n/g, "").replace(/=3D/gi, "=");
  const match = /(http:\/\/localhost:\d+\/revoke\?token=[0-9A-Za-z%:]+)/.exec(unfolded);
  if (!match) throw new Error("no revoke link in the new-device email");
  return match[1]!;
}

test("sign up, sign out, sign in", async ({ page }) => {
  await page.goto("/settings/security");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fsettings%2Fsecurity/);
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Use at least 10 characters.")).toBeVisible();
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toContainText(email);
  // Signed in right away; the address waits for its confirmation link (issue 12 item 14).
  await expect(page.getByTestId("email-confirmation-banner")).toContainText(email);

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/settings/security");
  await expect(page).toHaveURL(/\/sign-in/);

  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("wrong password here");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Email or password is incorrect")).toBeVisible();
  await fillSignIn(page);
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
});

test("a sign-up with a taken address looks like any other and mails the owner instead", async ({ browser, platform }) => {
  const mailBefore = sentMail(platform.mailDir).length;
  const other = await contextFrom(browser, platform.webUrl, "203.0.113.90");
  const otherPage = await other.newPage();
  await otherPage.goto("/sign-up");
  await otherPage.getByLabel("Email").fill(email);
  await otherPage.getByLabel("Password").fill("someone else's words 9");
  await otherPage.getByRole("button", { name: "Create account" }).click();
  await expect(otherPage.getByTestId("sign-up-check-inbox")).toContainText(email);
  await expect(otherPage.getByRole("button", { name: "Sign out", exact: true })).toHaveCount(0);
  await expect
    .poll(() => sentMail(platform.mailDir).slice(mailBefore).some((m) => m.includes(email) && m.includes("Someone tried to sign up with your address")), { timeout: 60_000 })
    .toBe(true);
  await other.close();
});

test("the setup token printed at start makes the first administrator, once", async ({ page }) => {
  const token = process.env.WH_E2E_SETUP_TOKEN ?? "";
  expect(token, "global setup passes the platform's setup token (e2e/support/global-setup.ts)").toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/);
  await fillSignIn(page);
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  await page.goto("/setup");
  await page.getByLabel("Setup token").fill("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF");
  await page.getByRole("button", { name: "Become administrator" }).click();
  await expect(page.getByText("That setup token is not right")).toBeVisible();
  await page.getByLabel("Setup token").fill(token);
  await page.getByRole("button", { name: "Become administrator" }).click();
  await expect(page.getByText("This account is now the platform administrator.")).toBeVisible();
  await page.goto("/setup");
  await expect(page.getByTestId("setup-complete")).toBeVisible();
});

test("enable 2FA from the shown secret, then sign in through the challenge", async ({ page }) => {
  await fillSignIn(page);
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  await page.goto("/settings/security");
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  await expect(page.getByRole("img", { name: /QR code/ })).toBeVisible();
  await expect(page.getByTestId("totp-secret")).toHaveText(/[A-Z2-7]{16,}/);
  secret = (await page.getByTestId("totp-secret").innerText()).trim();
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await page.getByLabel("Code from the app").fill("000000");
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByText("That code is not valid")).toBeVisible();
  await page.getByLabel("Code from the app").fill(await code());
  await page.getByRole("button", { name: "Turn on" }).click();
  const list = page.getByTestId("backup-codes");
  await expect(list.locator("li")).toHaveCount(10);
  backupCodes = await list.locator("li").allInnerTexts();
  await expect(page.getByRole("button", { name: "Download" })).toBeVisible();
  await page.getByRole("button", { name: "I saved them" }).click();
  await expect(page.getByTestId("twofa-status")).toContainText("On.");

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await fillSignIn(page);
  // The setup code's step is used up; the next step's code is within the ±1 window.
  await passChallenge(page, await code(1));
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
});

test("a sign-in from another IP emails a revoke link; GET/HEAD change nothing; the button signs that context out", async ({ browser, page, platform }) => {
  const mailBefore = sentMail(platform.mailDir).length;
  const stranger = await contextFrom(browser, platform.webUrl, strangerIp);
  const strangerPage = await stranger.newPage();
  await fillSignIn(strangerPage);
  await passChallenge(strangerPage, backupCodes[0]!);
  await expect(strangerPage.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();

  // Other mail may arrive meanwhile (to this account too): wait for the one carrying a revoke link.
  const hasRevokeLink = (m: string) => /revoke\?token=/.test(m.replace(/=\r?\n/g, ""));
  const newDeviceMail = () => sentMail(platform.mailDir).slice(mailBefore).find((m) => m.includes(email) && hasRevokeLink(m));
  await expect.poll(() => newDeviceMail() !== undefined, { timeout: 60_000 }).toBe(true);
  const mail = newDeviceMail()!;
  expect(mail).toContain(strangerIp);
  const link = revokeLinkFrom(mail);

  // Mail scanners fetch links: GET and HEAD must not revoke anything.
  const head = await page.request.head(link);
  expect(head.status()).toBeLessThan(500);
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Revoke this session?" })).toBeVisible();
  await expect(page.getByText(strangerIp)).toBeVisible();
  await strangerPage.goto("/settings/security");
  await expect(strangerPage.getByRole("heading", { name: "Security" })).toBeVisible();

  // Tampered links get the plain refusal.
  await page.goto(link.replace(/token=(\d)/, (_m, d: string) => `token=${d === "9" ? "8" : "9"}`));
  await expect(page.getByTestId("revoke-refused")).toBeVisible();

  // A cross-site POST of the right token is refused like any bad link, and so is sign-out.
  const token = new URL(link).searchParams.get("token")!;
  const forged = await page.request.post("/api/auth/revoke-link", { form: { token }, headers: { origin: "https://evil.example" } });
  expect(forged.url()).toContain("/revoke?token=refused");
  expect(await forged.text()).toContain("This link cannot be used");
  const forgedSignOut = await strangerPage.request.post("/api/auth/sign-out", { headers: { origin: "https://evil.example" }, maxRedirects: 0 });
  expect(forgedSignOut.status()).toBe(403);
  await strangerPage.goto("/settings/security");
  await expect(strangerPage.getByRole("heading", { name: "Security" })).toBeVisible();

  await page.goto(link);
  await page.getByRole("button", { name: "Revoke this session" }).click();
  await expect(page.getByRole("heading", { name: "Session revoked" })).toBeVisible();
  // Pressing it again is harmless.
  const again = await page.request.post("/api/auth/revoke-link", { form: { token }, headers: { origin: platform.webUrl } });
  expect(again.url()).toContain("/revoke/done");

  await strangerPage.goto("/settings/security");
  await expect(strangerPage).toHaveURL(/\/sign-in/);
  await stranger.close();
});

test("a backup code works once; revoke-others signs the other session out", async ({ browser, page, platform }) => {
  const other = await contextFrom(browser, platform.webUrl, "203.0.113.78");
  const otherPage = await other.newPage();
  await fillSignIn(otherPage);
  await passChallenge(otherPage, backupCodes[0]!);
  await expect(otherPage.getByText("That code is not valid")).toBeVisible();
  await otherPage.getByLabel("Authentication code").fill(backupCodes[1]!);
  await otherPage.getByRole("button", { name: "Verify" }).click();
  await expect(otherPage.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();

  await fillSignIn(page);
  await passChallenge(page, backupCodes[2]!);
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  await page.goto("/settings/security");
  await expect(page.getByTestId("session-row").filter({ hasText: "203.0.113.78" })).toBeVisible();
  await page.getByRole("button", { name: "Sign out all other sessions" }).click();
  await expect(page.getByText(/Signed out \d+ other session/)).toBeVisible();
  await expect(page.getByTestId("session-row")).toHaveCount(1);
  await page.screenshot({ path: "test-results/accounts-security.png", fullPage: true });

  await otherPage.goto("/settings/security");
  await expect(otherPage).toHaveURL(/\/sign-in/);
  await other.close();
});

test("the audit page shows the events", async ({ page }) => {
  await fillSignIn(page);
  await passChallenge(page, backupCodes[3]!);
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  await page.goto("/settings/audit");
  const table = page.getByTestId("audit-table");
  await expect(table).toBeVisible();
  for (const kind of ["signup", "login", "logout", "totp_enabled", "backup_code_used", "session_revoked"]) {
    await expect(table.locator(`tr[data-kind="${kind}"]`).first()).toBeVisible();
  }
  await expect(table).toContainText(strangerIp);
  await page.screenshot({ path: "test-results/accounts-audit.png", fullPage: true });
});

test("Google sign-in through a real OpenID provider; a tampered state is refused", async ({ browser, platform }) => {
  expect(process.env.WH_E2E_OIDC_ISSUER, "global setup starts the test OpenID provider (e2e/support/oidc-provider.ts)").toBeTruthy();
  const login = `gina-${Date.now()}`;

  async function throughProvider(page: Page) {
    await page.goto("/sign-in");
    await page.getByRole("link", { name: "Sign in with Google" }).click();
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill("anything");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
  }

  // A tampered state on the way back is refused, and nobody is signed in.
  const tampering = await browser.newContext({ baseURL: platform.webUrl });
  const attacked = await tampering.newPage();
  // Redirect hops are not routable, so the consent POST (a real navigation) is answered here:
  // the provider's redirect chain is followed by hand and the browser sent on with a forged state.
  await attacked.route(/\/interaction\/[^/?]+$/, async (route) => {
    if (route.request().method() !== "POST" || !/prompt=consent/.test(route.request().postData() ?? "")) return route.continue();
    const consent = await route.fetch({ maxRedirects: 0 });
    const resumeUrl = new URL(consent.headers()["location"]!, route.request().url());
    const resume = await attacked.request.get(resumeUrl.toString(), { maxRedirects: 0 });
    const callback = new URL(resume.headers()["location"]!, resumeUrl);
    expect(callback.pathname).toBe("/api/auth/oidc/callback");
    callback.searchParams.set("state", "tampered-state-0000000000000000");
    await route.fulfill({ status: 303, headers: { location: callback.toString() } });
  });
  await throughProvider(attacked);
  await expect(attacked).toHaveURL(/\/sign-in\?error=oidc_state/);
  await expect(attacked.getByText("could not be verified")).toBeVisible();
  await tampering.close();

  // A fresh browser: the provider asks for the login again, and the account is created.
  const honest = await browser.newContext({ baseURL: platform.webUrl });
  const page = await honest.newPage();
  await throughProvider(page);
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toContainText(`${login}@example.com`);
  await honest.close();
});
