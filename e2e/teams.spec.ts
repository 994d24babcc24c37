import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { invitationLinkFor } from "./support/invitation-link";
import { signInAs } from "./support/sign-in";

/**
 * Issue 15, "Done when": the owner of a team invites a developer and a viewer; each reads the
 * invitation from the mail the real SMTP server received, signs up through its link and accepts,
 * and then sees and can do exactly what docs/teams.md's matrix gives the role — in Chromium
 * against the whole platform (web, jobs, ws-hub and the local agent).
 */
const stamp = Date.now().toString().slice(-7);
const owner = { email: `team-owner-${stamp}@example.com`, password: "teams owner words 15" };
const developer = { email: `team-dev-${stamp}@example.com`, password: "teams developer words 15" };
const viewer = { email: `team-viewer-${stamp}@example.com`, password: "teams viewer words 15" };
const teamName = `Crew ${stamp}`;
const appName = `crew-site-${stamp}`;
const secret = `s3cret-${stamp}`;
let repoDir = "";
let appPath = "";

test.describe.configure({ mode: "serial" });

test.beforeAll(() => {
  repoDir = mkdtempSync(join(tmpdir(), "wh-e2e-team-repo-"));
  execFileSync("git", ["init", "-b", "main", repoDir], { stdio: "pipe" });
  writeFileSync(join(repoDir, "index.html"), `<!doctype html><title>crew</title><h1>crew ${stamp}</h1>\n`);
  const git = (...args: string[]) => execFileSync("git", ["-C", repoDir, "-c", "user.name=E2E", "-c", "user.email=e2e@example.com", ...args], { stdio: "pipe" });
  git("add", "index.html");
  git("commit", "-m", "First page");
});

test.afterAll(() => {
  if (repoDir) rmSync(repoDir, { recursive: true, force: true });
});

/** Deployments of the app, newest first: waits until there are `count` and the newest has `status`. */
async function expectDeployments(page: Page, count: number, status: string) {
  await page.goto(`${appPath}/deployments`);
  const rows = page.getByTestId("deployments-table").locator("tbody tr");
  await expect(rows).toHaveCount(count, { timeout: 30_000 });
  await expect(rows.first().locator(`[data-status="${status}"]`)).toBeVisible({ timeout: 120_000 });
}

/** In a fresh browser context: opens the mailed link, signs up through it, accepts, lands on the team's apps. */
async function acceptBySigningUp(browser: Browser, baseURL: string, mailDir: string, who: { email: string; password: string }, role: string): Promise<Page> {
  let link: string | null = null;
  await expect.poll(() => (link = invitationLinkFor(mailDir, who.email)), { timeout: 60_000, message: `an invitation mail to ${who.email}` }).not.toBeNull();
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto(link!);
  await expect(page.getByText("Sign in with the address the invitation was sent to")).toBeVisible();
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/sign-up\?next=/);
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/teams\/invite\?token=/);
  await expect(page.getByTestId("invitation")).toContainText(`to ${teamName} as ${role}`);
  await page.getByRole("button", { name: `Accept and join ${teamName}` }).click();
  await expect(page).toHaveURL(/\/apps$/);
  await expect(page.getByTestId("team-switcher")).toContainText(`${teamName} (${role})`);
  await expect(page.getByTestId("apps-list")).toContainText(appName);
  return page;
}

test("the owner creates a team with an app and invites a developer and a viewer by mail", async ({ page }) => {
  // A container build is part of it; expectDeployments alone may wait 2 min on a loaded machine.
  test.setTimeout(300_000);
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();

  await page.goto("/teams");
  await expect(page.getByText("Your personal team is only yours.")).toBeVisible();
  await page.getByLabel("Team name").fill(teamName);
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page.getByTestId("team-name")).toHaveText(teamName);
  await expect(page.getByTestId("team-role")).toHaveText("owner");

  await page.goto("/apps/new");
  await page.getByLabel("Repository URL").fill(`file://${repoDir}`);
  await page.getByLabel("Name").fill(appName);
  await page.getByLabel("Paste a .env file").fill(`API_SECRET=${secret}`);
  await page.getByRole("button", { name: "Create and deploy" }).click();
  await expect(page).toHaveURL(/\/apps\/\d+\/deployments$/);
  appPath = new URL(page.url()).pathname.replace(/\/deployments$/, "");
  await expectDeployments(page, 1, "succeeded");

  await page.goto("/teams");
  for (const [who, role] of [[developer, "developer"], [viewer, "viewer"]] as const) {
    await page.getByLabel("Email").fill(who.email);
    await page.getByRole("combobox", { name: "Role", exact: true }).selectOption(role);
    await page.getByRole("button", { name: "Send invitation" }).click();
    await expect(page.getByText(`Invitation sent to ${who.email}.`)).toBeVisible();
    await expect(page.locator(`[data-testid=invitations] li[data-email="${who.email}"]`)).toContainText(role);
  }
});

test("the developer accepts, deploys, restarts and edits env vars, but cannot manage members or delete", async ({ browser, baseURL, platform }) => {
  // A deploy and a restart of a container, each waited for (expectDeployments: up to 2 min).
  test.setTimeout(300_000);
  const page = await acceptBySigningUp(browser, baseURL!, platform.mailDir, developer, "developer");

  await page.goto("/teams");
  await expect(page.getByTestId("team-role")).toHaveText("developer");
  await expect(page.getByTestId("invite-disabled")).toBeVisible();
  await expect(page.getByRole("button", { name: "Send invitation" })).toHaveCount(0);
  const members = page.getByTestId("members-table");
  await expect(members.locator(`tr[data-email="${owner.email}"]`)).toContainText(owner.email);
  await expect(members.getByRole("button", { name: "Remove" })).toHaveCount(0);
  await expect(page.getByLabel(`Role of ${owner.email}`)).toBeDisabled();
  await expect(page.getByText("Only an owner can delete the team.")).toBeVisible();

  await page.goto(`${appPath}/environment`);
  const row = page.locator('[data-env-key="API_SECRET"]');
  await expect(row).toContainText("••••");
  await expect(row).not.toContainText(secret);
  await row.getByRole("button", { name: "Reveal" }).click();
  await expect(row).toContainText(secret);
  const form = page.getByRole("form", { name: "Set an env var" });
  await form.getByPlaceholder("KEY").fill("FROM_DEVELOPER");
  await form.getByPlaceholder("value").fill("yes");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.locator('[data-env-key="FROM_DEVELOPER"]')).toBeVisible();
  await expect(page.getByTestId("role-reason")).toHaveCount(0);

  await page.goto(appPath);
  await expect(page.getByTestId("role-reason")).toHaveCount(0);
  const deployed = page.waitForResponse((r) => r.url().includes("apps.deploy") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  expect((await deployed).ok()).toBe(true);
  await expectDeployments(page, 2, "succeeded");

  await page.goto(appPath);
  const restarted = page.waitForResponse((r) => r.url().includes("apps.restart") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Restart", exact: true }).click();
  expect((await restarted).ok()).toBe(true);

  await page.goto(`${appPath}/settings`);
  await expect(page.getByTestId("role-reason")).toContainText(`Your role in ${teamName} is developer`);
  await expect(page.getByRole("button", { name: "Delete app" })).toBeDisabled();
  await page.context().close();
});

test("the viewer accepts and sees apps, deployments and logs, no secret values, and every action disabled with the reason", async ({ browser, baseURL, platform }) => {
  const page = await acceptBySigningUp(browser, baseURL!, platform.mailDir, viewer, "viewer");
  const because = `Your role in ${teamName} is viewer, which cannot do this.`;

  await page.goto(appPath);
  await expect(page.getByTestId("app-name")).toHaveText(appName);
  for (const name of ["Deploy", "Redeploy", "Restart"]) await expect(page.getByRole("button", { name, exact: true })).toBeDisabled();
  await expect(page.getByTestId("role-reason")).toContainText(because);

  await page.goto(`${appPath}/deployments`);
  const rows = page.getByTestId("deployments-table").locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(page.getByRole("button", { name: "Roll back" })).toHaveCount(0);
  await page.getByRole("button", { name: /Show build log of deployment/ }).first().click();
  await expect(page.getByTestId("build-log")).not.toBeEmpty();

  await page.goto(`${appPath}/logs`);
  await expect(page.getByTestId("runtime-logs")).toBeVisible();

  await page.goto(`${appPath}/environment`);
  const row = page.locator('[data-env-key="API_SECRET"]');
  await expect(row).toContainText("••••");
  await expect(page.locator("body")).not.toContainText(secret);
  await expect(page.locator('[data-env-key="FROM_DEVELOPER"]')).not.toContainText("yes");
  await expect(row.getByRole("button", { name: "Reveal" })).toBeDisabled();
  await expect(row.getByRole("button", { name: "Delete" })).toBeDisabled();
  await expect(page.getByRole("form", { name: "Set an env var" }).getByRole("button", { name: "Save" })).toBeDisabled();
  await expect(page.getByTestId("role-reason")).toContainText(because);

  await page.goto(`${appPath}/domains`);
  await expect(page.getByRole("button", { name: "Add domain" })).toBeDisabled();
  await expect(page.getByTestId("role-reason")).toContainText(because);

  await page.goto(`${appPath}/settings`);
  await expect(page.getByRole("button", { name: "Delete app" })).toBeDisabled();
  await expect(page.getByTestId("role-reason")).toContainText(because);

  for (const path of ["/webhooks", "/alerts", "/apps/git"]) {
    await page.goto(path);
    await expect(page.getByTestId("role-reason")).toContainText(because);
  }
  await expect(page.getByRole("link", { name: "Connect" })).toHaveCount(0);

  await page.goto("/teams");
  await expect(page.getByTestId("team-role")).toHaveText("viewer");
  await expect(page.getByTestId("invite-disabled")).toBeVisible();
  await expect(page.getByTestId("members-table").getByRole("button", { name: "Remove" })).toHaveCount(0);
  await page.context().close();
});

test("the owner sees both members with their roles and the team's audit log names them", async ({ page }) => {
  await signInAs(page, owner.email, owner.password);
  // A new session starts in the personal team; the switcher keeps the choice on the session.
  await page.getByTestId("team-switcher").selectOption({ label: `${teamName} (owner)` });
  await expect(page).toHaveURL(/\/apps$/);
  await page.goto("/teams");
  await expect(page.getByTestId("team-name")).toHaveText(teamName);
  await expect(page.getByLabel(`Role of ${developer.email}`)).toHaveValue("developer");
  await expect(page.getByLabel(`Role of ${viewer.email}`)).toHaveValue("viewer");
  await expect(page.getByTestId("invitations")).toHaveCount(0);
  await page.goto("/teams/audit");
  for (const who of [developer, viewer]) await expect(page.locator("tr", { hasText: "joined the team" }).filter({ hasText: who.email })).toBeVisible();
});
