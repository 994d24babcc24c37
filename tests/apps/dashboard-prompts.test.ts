import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unreachableWebhookReason } from "../../src/components/apps/webhook-reach";
import { ACTION_HELP } from "../../src/components/apps/action-help";
import { startAppHarness, type AppHarness } from "./helpers/app-harness";

/** Issue 16 item 6: the prompts the dashboard shows come with what to do next. */
describe("the dashboard's prompts say what to do", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ GITHUB_CLIENT_ID: "gh-client", GITHUB_CLIENT_SECRET: "gh-secret" });
  });
  afterAll(async () => h.close());

  it("a git provider that is not configured names the settings that enable it and the callback URL", async () => {
    const u = await h.user();
    const list = await u.caller.gitProviders.list();
    const gitlab = list.find((p) => p.id === "gitlab")!;
    expect(gitlab.configured).toBe(false);
    expect(gitlab.setup).toEqual({ variables: ["GITLAB_CLIENT_ID", "GITLAB_CLIENT_SECRET"], callbackUrl: "http://127.0.0.1:3999/api/git/callback/gitlab" });
    expect(list.find((p) => p.id === "codeberg")!.setup.variables).toEqual(["CODEBERG_CLIENT_ID", "CODEBERG_CLIENT_SECRET"]);
    expect(list.find((p) => p.id === "github")!.configured).toBe(true);
  });

  it("at the plan's app limit the new-app form has every plan to show, the caller's marked", async () => {
    const u = await h.user("free");
    await u.caller.apps.create({ name: "only-app-here", repoUrl: "https://github.com/acme/only.git" });
    const d = await u.caller.apps.newAppDefaults();
    expect(d.appCount).toBe(d.plan.maxApps);
    expect(d.plan.id).toBe("free");
    expect(d.plans.map((p) => p.id)).toEqual(expect.arrayContaining(["free", "pro", "business"]));
    const pro = d.plans.find((p) => p.id === "pro")!;
    expect(pro.maxApps).toBeGreaterThan(d.plan.maxApps);
  });

  it("a push-webhook URL only this machine or its network can reach is called out, a public one is not", () => {
    expect(unreachableWebhookReason("http://localhost:3000/api/git/push/abc")).toBe("localhost is this machine");
    expect(unreachableWebhookReason("http://dash.localhost:3000/x")).toBe("dash.localhost is this machine");
    expect(unreachableWebhookReason("http://127.0.0.1:3000/x")).toBe("127.0.0.1 is this machine");
    expect(unreachableWebhookReason("http://[::1]:3000/x")).toBe("::1 is this machine");
    expect(unreachableWebhookReason("http://192.168.1.20/x")).toBe("192.168.1.20 is a private address");
    expect(unreachableWebhookReason("http://10.0.0.5/x")).toBe("10.0.0.5 is a private address");
    expect(unreachableWebhookReason("http://devbox.local/x")).toBe("devbox.local is a name only your local network resolves");
    expect(unreachableWebhookReason("http://devbox/x")).toBe("devbox is a name only your local network resolves");
    expect(unreachableWebhookReason("https://paas.example.com/api/git/push/abc")).toBeNull();
    expect(unreachableWebhookReason("https://203.0.113.10/x")).toBeNull();
    expect(unreachableWebhookReason("not a url")).toBeNull();
  });

  it("Deploy, Redeploy and Restart each say what they do, and only a build applies env vars", () => {
    expect(ACTION_HELP.deploy).toMatch(/latest commit/);
    expect(ACTION_HELP.redeploy).toMatch(/apply changed env vars/);
    expect(ACTION_HELP.restart).toMatch(/no build.*keeps the env vars/);
  });
});
