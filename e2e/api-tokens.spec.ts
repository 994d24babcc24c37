import { expect, test } from "./support/fixtures";

/**
 * Settings → API tokens (docs/api.md) in a browser against the whole platform: create a scoped
 * token (sudo mode when asked), see it once, use it on /api/v1 over real HTTP, see its last use,
 * revoke it and be refused; the reference page and the OpenAPI document are served.
 */
const email = `tokens-${Date.now()}@example.com`;
const password = "tokens-e2e-password-1";

test("create a token, use it on /api/v1, revoke it", async ({ page, request, baseURL }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();

  await page.goto("/settings/security");
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await expect(page.getByText("No tokens yet.")).toBeVisible();
  const form = page.getByRole("form", { name: "New API token" });
  await form.getByLabel("Name").fill("e2e pipeline");
  await form.getByRole("checkbox", { name: /apps:deploy/ }).check();
  await form.getByRole("button", { name: "Create token" }).click();
  const confirm = page.getByRole("form", { name: "Confirm it is you" });
  const shown = page.getByTestId("new-token");
  await expect(confirm.or(shown)).toBeVisible();
  if (await confirm.isVisible()) {
    await confirm.getByLabel("Password").fill(password);
    await confirm.getByRole("button", { name: "Confirm" }).click();
  }
  await expect(shown).toHaveText(/^wh_[A-Za-z0-9_-]{43}$/);
  const token = (await shown.textContent())!;
  await expect(page.getByText("shown only this once")).toBeVisible();

  const auth = { authorization: `Bearer ${token}` };
  const me = await request.get(`${baseURL}/api/v1/me`, { headers: auth });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ user: { email }, role: "owner", scopes: ["apps:deploy", "apps:read"] });
  const apps = await request.get(`${baseURL}/api/v1/apps`, { headers: auth });
  expect(await apps.json()).toEqual({ apps: [] });
  const beyond = await request.post(`${baseURL}/api/v1/apps`, { headers: auth, data: { name: "nope", repoUrl: "https://github.com/x/y.git" } });
  expect(beyond.status()).toBe(403);
  expect((await beyond.json()).error.code).toBe("FORBIDDEN");

  await page.getByRole("button", { name: "Done" }).click();
  await page.reload();
  const row = page.locator('tr[data-token="e2e pipeline"]');
  await expect(row).toContainText("apps:deploy, apps:read");
  await expect(row).toContainText("from ");
  await expect(page.getByTestId("new-token")).toHaveCount(0);

  page.once("dialog", (d) => void d.accept());
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("revoked");
  const after = await request.get(`${baseURL}/api/v1/me`, { headers: auth });
  expect(after.status()).toBe(401);
  expect((await after.json()).error).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("revoked") });

  await page.goto("/teams/audit");
  await expect(page.getByText("used an API token").first()).toBeVisible();

  const doc = await request.get(`${baseURL}/api/v1/openapi.json`);
  expect(doc.status()).toBe(200);
  expect((await doc.json()).openapi).toBe("3.1.0");
  await page.goto("/api/docs");
  await expect(page.getByRole("heading", { name: "API reference" })).toBeVisible();
  await expect(page.locator("[data-operation=deployApp]")).toContainText("/apps/{app}/deploy");
});
