import { test as base, expect } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface PlatformInfo {
  webUrl: string;
  hubUrl: string;
  databaseUrl: string;
  dataDir: string;
  mailDir: string;
  workerRegistrationToken: string;
  traefikProxyToken: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the specs through playwright.config.ts (global setup starts the platform)`);
  return value;
}

/** Every .eml the platform sent during this run, oldest first. */
export function sentMail(mailDir: string): string[] {
  return readdirSync(mailDir)
    .filter((f) => f.endsWith(".eml"))
    .sort()
    .map((f) => readFileSync(join(mailDir, f), "utf8"));
}

export const test = base.extend<{ platform: PlatformInfo }>({
  baseURL: async ({}, use) => use(required("WH_E2E_BASE_URL")),
  // After every goto, wait until React has hydrated the page (src/components/hydration-marker.tsx):
  // typing into a form and clicking before that does a native submit that drops the input.
  page: async ({ page }, use) => {
    const goto = page.goto.bind(page);
    const dashboard = new URL(required("WH_E2E_BASE_URL")).origin;
    page.goto = async (url, options) => {
      const response = await goto(url, options);
      // Only the dashboard's pages hydrate; an app's own page (e2e/journey.spec.ts opens one) never does.
      if (new URL(page.url()).origin === dashboard) await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });
      return response;
    };
    await use(page);
  },
  platform: async ({}, use) =>
    use({
      webUrl: required("WH_E2E_BASE_URL"),
      hubUrl: required("WH_E2E_HUB_URL"),
      databaseUrl: required("WH_E2E_DATABASE_URL"),
      dataDir: required("WH_E2E_DATA_DIR"),
      mailDir: required("WH_E2E_MAIL_DIR"),
      workerRegistrationToken: process.env.WH_E2E_WORKER_REGISTRATION_TOKEN ?? "",
      traefikProxyToken: process.env.WH_E2E_TRAEFIK_PROXY_TOKEN ?? "",
    }),
});

export { expect };
