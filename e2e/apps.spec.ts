import { execFileSync } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { startDnsServer } from "../tests/apps/helpers/dns-server";
import { expect, test } from "./support/fixtures";
import { signInAs } from "./support/sign-in";

/**
 * Issue 4, "Done when": create an app from a local repository, set env vars from a paste, add and
 * verify a domain against a DNS server started here, see the deployment appear with its progress
 * and roll back — in Chromium against the whole platform (web, jobs, ws-hub and the local agent).
 */
const email = `apps-${Date.now()}@example.com`;
const password = "harbor lantern violet 77";
const appName = `e2e-shop-${Date.now().toString().slice(-6)}`;
const domain = `www.${appName}.example`;
let repoDir = "";
let appPath = "";
let dns: Awaited<ReturnType<typeof startDnsServer>>;

// Several tests here wait up to 2–4 min for a container deploy; the default 2 min is too short for them.
test.describe.configure({ mode: "serial", timeout: 300_000 });

function git(...args: string[]) {
  execFileSync("git", ["-C", repoDir, "-c", "user.name=E2E", "-c", "user.email=e2e@example.com", ...args], { stdio: "pipe" });
}

function commitSite(version: string) {
  writeFileSync(join(repoDir, "index.html"), `<!doctype html><title>shop</title><h1>shop ${version}</h1>\n`);
  git("add", "index.html");
  git("commit", "-m", `Release ${version}`);
}

const signIn = (page: Page) => signInAs(page, email, password);

async function waitForDeployment(page: Page, nth: number, status: string) {
  await page.goto(`${appPath}/deployments`);
  const rows = page.getByTestId("deployments-table").locator("tbody tr");
  await expect(rows).toHaveCount(nth, { timeout: 30_000 });
  // Newest first: the nth deployment is the top row.
  await expect(rows.first().locator(`[data-status="${status}"]`)).toBeVisible({ timeout: 120_000 });
}

test.beforeAll(async () => {
  repoDir = mkdtempSync(join(tmpdir(), "wh-e2e-repo-"));
  execFileSync("git", ["init", "-b", "main", repoDir], { stdio: "pipe" });
  commitSite("v1");
  dns = await startDnsServer({}, Number(process.env.WH_E2E_DNS_PORT));
});

test.afterAll(async () => {
  await dns?.close();
  if (repoDir) rmSync(repoDir, { recursive: true, force: true });
});

test("sign up and see the empty overview", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByText("No apps yet.")).toBeVisible();
  await page.goto("/apps");
  await expect(page.getByText("You have no apps yet.")).toBeVisible();
});

test("create an app from a local repository with a pasted .env, and see the deployment progress", async ({ page }) => {
  await signIn(page);
  await page.goto("/apps/new");
  await expect(page.getByText(/Free plan: 0 of 1 app used/)).toBeVisible();
  await page.getByLabel("Repository URL").fill(`file://${repoDir}`);
  await page.getByLabel("Name").fill(appName);
  await page.getByLabel("Paste a .env file").fill("GREETING=hello\nnot a valid line\nlower=case");
  await page.getByRole("button", { name: "Create and deploy" }).click();
  await expect(page.getByText("Line 2: Expected KEY=value.")).toBeVisible();
  await expect(page.getByText(/Line 3: Key "lower"/)).toBeVisible();

  await page.getByLabel("Paste a .env file").fill("GREETING=hello\nPORT_HINT=8080");
  await page.getByLabel("Repository URL").fill("ext::git-remote-evil");
  await page.getByRole("button", { name: "Create and deploy" }).click();
  await expect(page.getByText(/transport helpers \(such as ext::\) are not allowed/)).toBeVisible();

  await page.getByLabel("Repository URL").fill(`file://${repoDir}`);
  await page.getByRole("button", { name: "Create and deploy" }).click();
  await expect(page).toHaveURL(/\/apps\/\d+\/deployments$/);
  appPath = new URL(page.url()).pathname.replace(/\/deployments$/, "");
  await expect(page.getByTestId("app-name")).toHaveText(appName);
  await expect(page.getByTestId("deployments-table").locator("tbody tr")).toHaveCount(1);
  await expect(page.getByTestId("deploy-progress")).toBeVisible();
  await expect(page.getByTestId("deployments-table")).toContainText("main");

  await page.goto("/apps");
  await expect(page.getByTestId("apps-list")).toContainText(appName);
  await page.getByLabel("Search apps").fill("no-such-app");
  await expect(page.getByText("No apps match.")).toBeVisible();
});

test("set env vars from a paste: bad lines listed, nothing lost, then imported and masked", async ({ page }) => {
  await signIn(page);
  await page.goto(`${appPath}/environment`);
  await expect(page.getByTestId("env-table")).toContainText("GREETING");
  const paste = page.getByLabel(".env text");
  await paste.fill('API_TOKEN="s3cr3t value"\n9BAD=x\nexport REGION=eu-west');
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("paste-errors")).toContainText("Line 2:");
  await expect(page.getByTestId("env-table")).not.toContainText("API_TOKEN");
  await expect(paste).toHaveValue(/API_TOKEN/);
  await paste.fill('API_TOKEN="s3cr3t value"\nexport REGION=eu-west');
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByText("Imported 2 variables: API_TOKEN, REGION")).toBeVisible();
  const row = page.locator('[data-env-key="API_TOKEN"]');
  await expect(row).toContainText("••••••••");
  await expect(row).not.toContainText("s3cr3t value");
  await row.getByRole("button", { name: "Reveal" }).click();
  await expect(row).toContainText("s3cr3t value");
});

test("add a domain and verify it against the DNS server", async ({ page }) => {
  await signIn(page);
  await page.goto(`${appPath}/domains`);
  await page.getByLabel("Domain name").fill("a.com`) || Host(`evil.com");
  await page.getByRole("button", { name: "Add domain" }).click();
  await expect(page.getByText(/may contain only letters/)).toBeVisible();
  await page.getByLabel("Domain name").fill(domain);
  await page.getByRole("button", { name: "Add domain" }).click();
  const card = page.locator(`[data-domain="${domain}"]`);
  await expect(card).toContainText(`_wisehosting-challenge.${domain}`);
  const token = (await card.locator('[data-record-value="TXT"]').innerText()).trim();
  const cname = (await card.locator('[data-record-value="CNAME"]').innerText()).trim();
  expect(cname).toBe(`${appName}.localhost`);

  await page.getByRole("button", { name: "Verify" }).click();
  await expect(card.getByTestId("domain-check-result")).toContainText("No TXT record found");

  dns.records.txt[`_wisehosting-challenge.${domain}`] = [token];
  dns.records.cname[domain] = cname;
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(card.getByTestId("domain-check-result")).toContainText("Verified");
  await expect(page.locator('[data-status="verified"]')).toBeVisible();
});

test("the deployment finishes, a second one follows, and rolling back deploys the first commit again", async ({ page }) => {
  await signIn(page);
  await waitForDeployment(page, 1, "succeeded");
  commitSite("v2");
  await page.goto(appPath);
  // waitForDeployment navigates away, which would cancel the deploy request still in flight.
  const deployed = page.waitForResponse((r) => r.url().includes("/api/trpc/") && r.url().includes("apps.deploy") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  expect((await deployed).ok()).toBe(true);
  await waitForDeployment(page, 2, "succeeded");

  const rows = page.getByTestId("deployments-table").locator("tbody tr");
  const first = rows.nth(1);
  await expect(first).toContainText("Release v1");
  await first.getByRole("button", { name: "Roll back" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Roll back" }).click();
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toContainText(/rollback of #\d+/);
  await expect(rows.first()).toContainText("Release v1");
  await expect(page.getByTestId("build-log")).toBeVisible();
  await waitForDeployment(page, 3, "succeeded");

  await page.goto("/");
  await expect(page.getByTestId("recent-deployments")).toContainText(appName);
  await expect(page.getByTestId("apps-by-status")).toBeVisible();
});

test("auto-deploy: a signed GitHub push to the app's webhook URL deploys; an unsigned one is refused", async ({ page }) => {
  await signIn(page);
  await page.goto(`${appPath}/settings`);
  const autoDeploy = page.getByLabel(/Deploy automatically when main is pushed/);
  await autoDeploy.check();
  // The box shows the requested state at once and is disabled until the change is saved: a push
  // sent before that would find auto-deploy still off.
  await expect(autoDeploy).toBeEnabled();
  await expect(autoDeploy).toBeChecked();
  const url = (await page.getByTestId("webhook-url").innerText()).trim();
  await page.getByRole("button", { name: "Reveal" }).click();
  await expect(page.getByTestId("webhook-secret")).toHaveText(/^\s*[0-9a-f]{64}\s*$/);
  const secret = (await page.getByTestId("webhook-secret").innerText()).trim();
  expect(secret).toMatch(/^[0-9a-f]{64}$/);

  commitSite("v3");
  const sha = execFileSync("git", ["-C", repoDir, "rev-parse", "HEAD"]).toString().trim();
  const body = JSON.stringify({
    ref: "refs/heads/main",
    after: sha,
    repository: { clone_url: `file://${repoDir}` },
    head_commit: { id: sha, message: "Release v3" },
    pusher: { name: "e2e-bot" },
  });
  const headers = { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": randomUUID() };
  const unsigned = await fetch(url, { method: "POST", body, headers });
  expect(unsigned.status).toBe(401);
  const signed = await fetch(url, {
    method: "POST",
    body,
    headers: { ...headers, "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` },
  });
  expect(signed.status).toBe(202);
  await waitForDeployment(page, 4, "succeeded");
  const top = page.getByTestId("deployments-table").locator("tbody tr").first();
  await expect(top).toContainText("Release v3");
  await expect(top).toContainText("push · github push by e2e-bot");
});
