import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import pg from "pg";
import { commitSampleRelease, ensureSampleRepository } from "../src/agent/sample-repo/ensure-sample-repository";
import { expect, test } from "./support/fixtures";

/**
 * Issue 7 part 4, the journey on one machine with the real local agent: sign up → create an app
 * from the sample repository → build log and progress to 100 % → the app answers → it is in
 * Traefik's proxy config → live usage → a low CPU alert fires while the app is busy → a new
 * commit deploys → roll back → delete. Screenshots go to test-results/journey/ for
 * docs/getting-started.md.
 */
const email = `journey-${Date.now()}@example.com`;
const password = "copper kestrel meadow 42";
const appName = `journey-${Date.now().toString().slice(-6)}`;
let workDir = "";
let repoDir = "";
let repoUrl = "";
let appPath = "";
let appId = 0;
let db: pg.Client;

test.describe.configure({ mode: "serial" });

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/journey/${name}.png`, fullPage: true });

async function signIn(page: Page) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
}

async function appRow(): Promise<{ status: string; port: number | null; subdomain: string }> {
  const { rows } = await db.query("SELECT status::text AS status, port, subdomain FROM apps WHERE id = $1", [appId]);
  return rows[0];
}

async function latestDeployment(): Promise<{ id: number; status: string; commit_sha: string }> {
  const { rows } = await db.query("SELECT id, status::text AS status, commit_sha FROM deployments WHERE app_id = $1 ORDER BY id DESC LIMIT 1", [appId]);
  return rows[0];
}

async function appText(path = "/"): Promise<string> {
  const { port } = await appRow();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
  return res.text();
}

test.beforeAll(async ({ platform }) => {
  workDir = mkdtempSync(join(tmpdir(), "wh-journey-"));
  repoDir = join(workDir, "sample-app");
  repoUrl = await ensureSampleRepository(repoDir);
  db = new pg.Client({ connectionString: platform.databaseUrl });
  await db.connect();
});

test.afterAll(async () => {
  await db?.end();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test("sign up", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
});

test("create an app from the sample repository; the build log streams and progress reaches 100 %", async ({ page }) => {
  await signIn(page);
  await page.goto("/apps/new");
  await page.getByLabel("Repository URL").fill(repoUrl);
  await page.getByLabel("Name").fill(appName);
  await page.getByLabel("Paste a .env file").fill("GREETING=Hello from the journey");
  await shot(page, "01-new-app");
  await page.getByRole("button", { name: "Create and deploy" }).click();
  await expect(page).toHaveURL(/\/apps\/\d+\/deployments$/);
  appPath = new URL(page.url()).pathname.replace(/\/deployments$/, "");
  appId = Number(appPath.split("/").pop());
  await expect(page.getByTestId("build-log")).toContainText("git clone", { timeout: 60_000 });
  await expect(page.getByRole("progressbar", { name: "Job progress" })).toHaveAttribute("aria-valuenow", "100", { timeout: 90_000 });
  await expect(page.getByTestId("deploy-progress")).toHaveAttribute("data-status", "completed");
  await shot(page, "02-deployed");
  expect((await latestDeployment()).status).toBe("succeeded");
});

test("the app is running, its URL answers and it is in Traefik's proxy config", async ({ platform }) => {
  await expect.poll(async () => (await appRow()).status, { timeout: 30_000 }).toBe("running");
  expect(await appText()).toContain("Hello from the journey");
  const { port, subdomain } = await appRow();
  const res = await fetch(`${platform.hubUrl}/v1/traefik/proxy-config`, { headers: { authorization: `Bearer ${platform.traefikProxyToken}` } });
  expect(res.status).toBe(200);
  const config = await res.text();
  expect(config).toContain(subdomain);
  expect(config).toContain(`127.0.0.1:${port}`);
});

test("live CPU and memory show values; a low CPU alert fires while the app is busy", async ({ page }) => {
  test.setTimeout(360_000);
  await signIn(page);
  await page.goto(`${appPath}/monitoring`);
  await expect(page.getByTestId("live-usage")).toContainText("MiB", { timeout: 60_000 });
  const cpuRule = page.getByTestId("rule-cpu");
  await cpuRule.getByRole("checkbox").check();
  await cpuRule.locator('input[name="threshold"]').fill("5");
  await cpuRule.locator('input[name="sustain"]').fill("1");
  await cpuRule.getByRole("button", { name: "Save" }).click();
  await expect(cpuRule.getByRole("status")).toHaveText("Saved");
  expect(JSON.parse(await appText("/busy?seconds=240")).busy).toBe(true);
  await shot(page, "03-monitoring");
  // Sustained for a minute, then the next 30 s poller tick fires it.
  await expect
    .poll(async () => (await db.query("SELECT count(*)::int AS n FROM alerts WHERE app_id = $1 AND kind = 'cpu'", [appId])).rows[0].n, {
      timeout: 300_000,
      intervals: [5_000],
    })
    .toBeGreaterThan(0);
});

test("a new commit deploys, and rolling back brings the first release back", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page);
  const first = await latestDeployment();
  const { sha } = await commitSampleRelease(repoDir);
  await page.goto(appPath);
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect.poll(async () => { const d = await latestDeployment(); return d.id !== first.id ? d.status : "waiting"; }, { timeout: 120_000 }).toBe("succeeded");
  expect((await latestDeployment()).commit_sha).toBe(sha);
  await expect.poll(() => appText(), { timeout: 30_000 }).toContain('<strong id="release">2</strong>');

  await page.goto(`${appPath}/deployments`);
  const rows = page.getByTestId("deployments-table").locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await rows.nth(1).getByRole("button", { name: "Roll back" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Roll back" }).click();
  await expect(rows).toHaveCount(3);
  await expect.poll(async () => (await latestDeployment()).status, { timeout: 120_000 }).toBe("succeeded");
  expect((await latestDeployment()).commit_sha).toBe(first.commit_sha);
  await expect.poll(() => appText(), { timeout: 30_000 }).toContain('<strong id="release">1</strong>');
  await shot(page, "04-rolled-back");
});

test("delete the app: its process on the worker goes away", async ({ page }) => {
  await signIn(page);
  const { port } = await appRow();
  await page.goto(`${appPath}/settings`);
  await page.getByRole("button", { name: "Delete app", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("textbox").fill(appName);
  await dialog.getByRole("button", { name: "Delete app", exact: true }).click();
  await expect.poll(async () => (await appRow()).status, { timeout: 30_000 }).toBe("deleted");
  await expect
    .poll(() => fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) }).then(() => "up", () => "gone"), { timeout: 60_000 })
    .toBe("gone");
});
