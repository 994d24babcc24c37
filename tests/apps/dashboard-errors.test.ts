import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckoutError, checkoutCommit } from "../../src/agent/runtime/git-checkout";
import { whileUnchanged } from "../../src/components/apps/field-error";
import { deploymentSentence, sameMessage } from "../../src/components/apps/format";
import { plural } from "../../src/lib/plural";
import { STALE_FAILURE } from "../../src/server/apps/update-app-spec";
import { startAppHarness, type AppHarness } from "./helpers/app-harness";

/** Issue 16 item 5: errors that do not mislead. */
describe("errors say what is true now, once", () => {
  let h: AppHarness;
  const dirs: string[] = [];
  beforeAll(async () => {
    h = await startAppHarness();
  });
  afterAll(async () => {
    await h.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("a form's error goes once the field holds another value, and comes back for the same value", () => {
    const err = { message: "enter the host name without https:// or a path" };
    expect(whileUnchanged(err, "https://shop.example.com/", "https://shop.example.com/")).toBe(err);
    expect(whileUnchanged(err, "https://shop.example.com/", "shop.example.com")).toBeUndefined();
    expect(whileUnchanged(err, { repoUrl: "a", branch: "main" }, { repoUrl: "a", branch: "main" })).toBe(err);
    expect(whileUnchanged(err, { repoUrl: "a", branch: "main" }, { repoUrl: "a", branch: "dev" })).toBeUndefined();
    expect(whileUnchanged(null, "x", "x")).toBeUndefined();
  });

  it("after the settings change, a failed app's header no longer shows the old error as current", async () => {
    const u = await h.user("pro");
    const { app } = await u.caller.apps.create({ name: "stale-error-app", repoUrl: "https://github.com/acme/wrong.git" });
    await h.tdb.db.app.update({ where: { id: app.id }, data: { status: "failed", statusReason: "cloning https://github.com/acme/wrong.git (branch main) failed: Repository not found." } });
    expect((await u.caller.apps.get({ appId: app.id })).statusReason).toMatch(/Repository not found/);
    await u.caller.apps.updateSpec({ appId: app.id, spec: { repoUrl: "https://github.com/acme/right.git" } });
    const after = await u.caller.apps.get({ appId: app.id });
    expect(after.status).toBe("failed");
    expect(after.statusReason).toBe(STALE_FAILURE);
    // A running app's reason (none) is left alone.
    const { app: ok } = await u.caller.apps.create({ name: "running-app-here", repoUrl: "https://github.com/acme/ok.git" });
    await u.caller.apps.updateSpec({ appId: ok.id, spec: { branch: "dev" } });
    expect((await u.caller.apps.get({ appId: ok.id })).statusReason).toBeNull();
  });

  it("a failed clone's error is git's one useful line, without its generic advice", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "wh-giterr-"));
    dirs.push(dir);
    const missing = path.join(dir, "no-such-repo");
    const lines: string[] = [];
    const run = checkoutCommit({
      repoUrl: `file://${missing}`,
      branch: "main",
      commitSha: "",
      dir,
      allowLocal: true,
      timeoutMs: 30_000,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
      onLine: (l) => lines.push(l),
    });
    const err = await run.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(CheckoutError);
    const message = (err as Error).message;
    // git printed its advice (the log keeps every line) ...
    expect(lines.join("\n")).toMatch(/Please make sure you have the correct access rights/);
    // ... the error is the cause alone, said once.
    expect(message).toMatch(/does not appear to be a git repository/);
    expect(message).not.toMatch(/Please make sure|Could not read from remote repository|\|/);
    expect(message.match(/no-such-repo/g)?.length).toBe(2); // the URL in "cloning …" and git's own line
  });

  it("a domain entered as an address is told to enter the host name without https:// or a path, not 'not an IP address'", async () => {
    const u = await h.user("pro");
    const { app } = await u.caller.apps.create({ name: "domain-as-url", repoUrl: "https://github.com/acme/shop.git" });
    const err = await u.caller.domains.create({ appId: app.id, hostname: "https://shop.example.com/" }).then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toBe("Enter the host name without https:// or a path: shop.example.com.");
    expect(await h.tdb.db.domain.count({ where: { appId: app.id } })).toBe(0);
  });

  it("a loopback webhook URL is refused naming WEBHOOK_ALLOW_CIDRS, the setting that allows it", async () => {
    const u = await h.user("pro");
    const err = await u.caller.webhooks.create({ url: "http://127.0.0.1:9/hook", events: ["deployment.failed"] }).then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/an operator can allow a private or loopback range with WEBHOOK_ALLOW_CIDRS \(for example 127\.0\.0\.1\/32/);
  });

  it("the same error is recognised in the header, the progress line and the deployment row", () => {
    expect(sameMessage("Deploy failed: the app exited with code 1", "the app exited with code 1.")).toBe(true);
    expect(sameMessage("the app exited with code 1", "the app exited with code 2")).toBe(false);
    expect(sameMessage(null, "x")).toBe(false);
    expect(deploymentSentence(2, "failed")).toBe("Deployment #2 failed.");
    expect(plural(2, "other session")).toBe("2 other sessions");
    expect(plural(1, "other session")).toBe("1 other session");
  });
});
