import { expect, test } from "./support/fixtures";

test("the status page shows every component healthy", async ({ page }) => {
  await page.goto("/status");
  await expect(page.getByRole("heading", { name: "Platform status" })).toBeVisible();
  for (const id of ["database", "jobs", "hub", "workers"]) {
    await expect(page.getByTestId(`component-${id}`)).toHaveAttribute("data-healthy", "true", { timeout: 45_000 });
  }
  await expect(page.getByTestId("component-hub")).toContainText("answering /health");
  await page.screenshot({ path: "test-results/status-page.png", fullPage: true });
});

test("the ws-hub answers /health as the protocol says", async ({ platform, request }) => {
  const res = await request.get(`${platform.hubUrl}/health`);
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.status).toBe("ok");
  expect(new Date(body.time).toString()).not.toBe("Invalid Date");
});
