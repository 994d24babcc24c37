import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGitRepo, nodeApp } from "../agent/support/git-fixture";
import { eventually } from "../agent/support/runtime-harness";
import { DashboardUser } from "../faults/support/dashboard-user";
import { FaultPlatform } from "../faults/support/fault-platform";
import { freePort } from "../helpers/free-port";
import { runCli, startCli, type RunningCli } from "./support/run-cli";

/**
 * The real `wh` bin (a child process) against the whole real platform of the fault suite
 * (tests/faults/support/fault-platform.ts: web, ws-hub, jobs, an agent running apps as
 * processes, Postgres, Redis, SMTP), with tokens made on the dashboard as a user makes them
 * (Settings → API tokens): wrong URL, wrong token, missing scope, unknown app, a revoked token,
 * and a CI-style deploy of the sample app with a scoped token whose live log is then followed.
 * Heavy (it starts the platform): run it under the shared lock, `flock /tmp/wh-heavy.lock …`.
 */
const GREETING = "Deployed from the wh CLI";
let platform: FaultPlatform;
let user: DashboardUser;
let teamId = 0;
let dir = "";
let config = "";
const appName = "cli-sample";
const running: RunningCli[] = [];

async function mint(name: string, scopes: string[]): Promise<{ id: number; token: string }> {
  const created = (await user.trpc.apiTokens.create.mutate({ name, teamId, scopes: scopes as never, expiresInDays: 30 })) as { token: string; id?: number };
  const listed = (await user.trpc.apiTokens.list.query()) as { id: number; name: string }[];
  return { token: created.token, id: created.id ?? listed.find((t) => t.name === name)!.id };
}

beforeAll(async () => {
  platform = new FaultPlatform();
  await platform.start((line) => process.stdout.write(`[cli] ${line}\n`));
  user = new DashboardUser(platform.webUrl, { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36", address: "198.51.100.7" });
  await user.signUpAndIn("cli@example.com", "cli-suite-password-2026");
  teamId = ((await user.trpc.teams.current.query()) as { id: number }).id;
  await user.trpc.apps.create.mutate({ name: appName, repoUrl: platform.sampleRepoUrl, deploy: false, env: [{ key: "GREETING", value: GREETING }] });
  dir = mkdtempSync(join(tmpdir(), "wh-cli-platform-"));
  config = join(dir, "wisehosting", "config.json");
}, 600_000);

afterAll(async () => {
  running.forEach((r) => r.kill());
  await platform?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe("wh against the real platform", () => {
  it("names a wrong URL: nothing listening, and a server that is not the dashboard", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const refused = await runCli(["login", closed, "--token-stdin"], { env: { WH_CONFIG: config }, input: "wh_x\n" });
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain(`Cannot reach ${closed}: the connection was refused`);
    // The ws-hub is a real WiseHosting process, but not the dashboard the CLI talks to.
    const hub = await runCli(["login", platform.hubUrl, "--token-stdin"], { env: { WH_CONFIG: config }, input: "wh_x\n" });
    expect(hub.code).toBe(6);
    expect(hub.stderr).toContain(`${platform.hubUrl} does not look like a WiseHosting server`);
    expect(existsSync(config)).toBe(false);
  });

  it("refuses a wrong token with the server's reason and stores nothing", async () => {
    const unknown = await runCli(["login", platform.webUrl, "--token-stdin"], { env: { WH_CONFIG: config }, input: `wh_${"A".repeat(43)}\n` });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/The token was refused: This token is not known/);
    expect(unknown.stderr).toContain("run wh login again with a new token");
    const notAToken = await runCli(["apps"], { env: { WH_URL: platform.webUrl, WH_TOKEN: "ghp_something" } });
    expect(notAToken.code).toBe(3);
    expect(notAToken.stderr).toContain("set WH_TOKEN to a valid token");
    expect(existsSync(config)).toBe(false);
  });

  it("logs in with a read-only token, stores it 0600, and names the scope a deploy needs", async () => {
    const reader = await mint("cli-reader", ["apps:read"]);
    const login = await runCli(["login", `${platform.webUrl}/`, "--token-stdin"], { env: { WH_CONFIG: config }, input: `${reader.token}\n` });
    expect(login.stderr).toBe("");
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Logged in to ${platform.webUrl} as cli@example.com in team`);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(config, "utf8"))).toMatchObject({ url: platform.webUrl, token: reader.token, user: "cli@example.com" });

    const whoami = await runCli(["whoami", "--json"], { env: { WH_CONFIG: config } });
    expect(JSON.parse(whoami.stdout)).toMatchObject({ user: { email: "cli@example.com" }, team: { id: teamId }, role: "owner", scopes: ["apps:read"] });
    const apps = await runCli(["apps", "--json"], { env: { WH_CONFIG: config } });
    expect(apps.code).toBe(0);
    expect((JSON.parse(apps.stdout) as { apps: { name: string }[] }).apps.map((a) => a.name)).toContain(appName);
    const teams = await runCli(["teams"], { env: { WH_CONFIG: config } });
    expect(teams.stdout).toMatch(/owner\s+personal/);

    const deploy = await runCli(["deploy", appName], { env: { WH_CONFIG: config } });
    expect(deploy.code).toBe(4);
    expect(deploy.stderr).toContain("This token (cli-reader) does not have the apps:deploy scope");
    expect(deploy.stderr).toContain("Create one in the dashboard under Settings → API tokens, then run wh login again with a new token.");
    const missing = await runCli(["status", "no-such-app"], { env: { WH_CONFIG: config } });
    expect(missing.code).toBe(5);
    expect(missing.stderr).toBe(`Error: No app "no-such-app" in this token's team: run wh apps to list the apps it can see.\n`);

    await user.trpc.apiTokens.revoke.mutate({ id: reader.id });
    const revoked = await runCli(["apps"], { env: { WH_CONFIG: config } });
    expect(revoked.code).toBe(3);
    expect(revoked.stderr).toMatch(/The token was refused: This token \(cli-reader\) was revoked/);
    const logout = await runCli(["logout"], { env: { WH_CONFIG: config } });
    expect(logout.code).toBe(0);
    expect(existsSync(config)).toBe(false);
  });

  it("deploys the sample app from CI with a scoped token, exits 0 on success, then follows its live log", { timeout: 420_000 }, async () => {
    const ci = await mint("cli-ci", ["apps:read", "apps:deploy", "logs:read", "env:write"]);
    const env = { WH_URL: platform.webUrl, WH_TOKEN: ci.token, WH_CONFIG: config };

    const set = await runCli(["env", "set", appName, "RELEASE_NOTE=from the CLI"], { env });
    expect(set.stderr).toBe("");
    expect(set.stdout).toContain(`Set RELEASE_NOTE on ${appName}.`);

    const deploy = await runCli(["deploy", appName, "--wait"], { env, timeoutMs: 360_000 });
    expect(deploy.stderr).toMatch(/» deployment #1: (pending|building)/);
    expect(deploy.stderr).toContain("» deployment #1: succeeded");
    expect(deploy.stdout).toContain("Deployment #1 succeeded.");
    expect(deploy.stdout.split("\n").length).toBeGreaterThan(3); // the build log came through
    expect(deploy.code).toBe(0);

    const status = await runCli(["status", appName, "--json"], { env });
    const shown = JSON.parse(status.stdout) as { app: { status: string; url: string | null }; deployments: { number: number; status: string }[] };
    expect(shown.app.status).toBe("running");
    expect(shown.deployments[0]).toMatchObject({ number: 1, status: "succeeded" });

    const follow = startCli(["logs", appName, "-f", "--json"], { env });
    running.push(follow);
    // The app's own start-up line, from the live runtime log stream.
    await eventually(() => follow.output().stdout.includes("listening on port"), 60_000, `the live log to show the app's start-up line (got ${JSON.stringify(follow.output())})`);
    const stopped = await follow.interrupt();
    expect(stopped.code).toBe(0);
    const lines = stopped.stdout.trim().split("\n").map((l) => JSON.parse(l) as { line: string; stream: string });
    expect(lines.some((l) => l.line.includes("listening on port"))).toBe(true);
  });

  it("exits non-zero with the reason when a deployment fails", { timeout: 300_000 }, async () => {
    const ci = await mint("cli-ci-2", ["apps:read", "apps:write", "apps:deploy", "logs:read"]);
    const env = { WH_URL: platform.webUrl, WH_TOKEN: ci.token, WH_CONFIG: config };
    // The platform's own validation comes back as a usage error naming the field to fix.
    const badBranch = await runCli(["apps", "create", "cli-broken", "--repo", platform.sampleRepoUrl, "--branch", "no-such-branch"], { env });
    expect(badBranch.code).toBe(2);
    expect(badBranch.stderr).toContain('The repository has no branch "no-such-branch"');

    // The Free plan allows one app: make room for the broken one, as a user would.
    const apps = (await user.trpc.apps.list.query()) as { id: number; name: string }[];
    await user.trpc.apps.delete.mutate({ appId: apps.find((a) => a.name === appName)!.id, hard: false });
    const broken = createGitRepo(nodeApp(`console.error("cannot start: DATABASE_URL is not set"); process.exit(1);`), mkdtempSync(join(dir, "repo-")));
    const created = await runCli(["apps", "create", "cli-broken", "--repo", broken.url, "--json"], { env });
    expect(created.stderr).toBe("");
    expect(JSON.parse(created.stdout)).toMatchObject({ app: { name: "cli-broken" } });
    const deploy = await runCli(["deploy", "cli-broken", "--wait", "--json"], { env, timeoutMs: 240_000 });
    expect(JSON.parse(deploy.stdout)).toMatchObject({ deployment: { number: 1, status: "failed" } });
    // The reason is the platform's, with the app's own first error line; the build log went to stderr (--json).
    expect(deploy.stderr).toMatch(/Deployment #1 failed: .+cannot start: DATABASE_URL is not set.+ run wh deploy cli-broken --wait again\./s);
    expect(deploy.stderr).toContain("$ npm start");
    expect(deploy.code).toBe(1);
  });
});
