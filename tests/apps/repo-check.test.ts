import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usefulGitLine } from "../../src/server/git/repo-reachability";
import { freePort } from "../helpers/free-port";
import { expectTrpcError, startAppHarness, type AppHarness } from "./helpers/app-harness";

/** A git server that accepts connections and never says a word: git waits until the timeout. */
function silentListener(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port, sockets })));
}

describe("the repository is checked before an app is created", () => {
  let h: AppHarness;
  let dir: string;
  let repoUrl: string;
  let silent: Awaited<ReturnType<typeof silentListener>>;
  beforeAll(async () => {
    h = await startAppHarness({ REPO_CHECK_ENABLED: "1", REPO_CHECK_TIMEOUT_SECONDS: "4", REPO_ALLOW_CIDRS: "127.0.0.0/8", LOCAL_REPOS_ENABLED: "1" });
    dir = mkdtempSync(join(tmpdir(), "wh-repo-check-"));
    const git = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } });
    git("init", "--quiet", "--initial-branch=main");
    writeFileSync(join(dir, "index.js"), "console.log('hi')\n");
    git("add", ".");
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "--quiet", "-m", "first");
    repoUrl = `file://${dir}`;
    silent = await silentListener();
  });
  afterAll(async () => {
    for (const s of silent.sockets) s.destroy();
    silent.server.close();
    rmSync(dir, { recursive: true, force: true });
    await h.close();
  });

  it("creates the app when the repository answers and has the branch", async () => {
    const u = await h.user("pro");
    const { app } = await u.caller.apps.create({ repoUrl, branch: "main" });
    expect(await h.tdb.db.app.count({ where: { id: app.id } })).toBe(1);
  });

  it("refuses a branch the repository does not have, on the branch field, and creates nothing", async () => {
    const u = await h.user("free");
    const err = await expectTrpcError(u.caller.apps.create({ repoUrl, branch: "no-such-branch", deploy: true }), "BAD_REQUEST", /has no branch "no-such-branch"/);
    expect((err as unknown as { cause?: { details?: { field?: string } } }).cause?.details?.field).toBe("branch");
    expect(await h.tdb.db.app.count({ where: { userId: u.id } })).toBe(0);
    expect(await h.tdb.db.auditEvent.count({ where: { userId: u.id, kind: "app_create" } })).toBe(0);
  });

  it("refuses a repository that never answers within the check's timeout, and creates nothing", async () => {
    const u = await h.user("free");
    const started = Date.now();
    const err = await expectTrpcError(
      u.caller.apps.create({ repoUrl: `ssh://git@127.0.0.1:${silent.port}/acme/shop.git`, branch: "main", deploy: true }),
      "BAD_REQUEST",
      /did not answer within 4 s/,
    );
    // The check's own deadline ended it, not a test timeout (generous for a loaded machine).
    expect(Date.now() - started).toBeLessThan(30_000);
    expect((err as unknown as { cause?: { details?: { field?: string } } }).cause?.details?.field).toBe("repoUrl");
    expect(await h.tdb.db.app.count({ where: { userId: u.id } })).toBe(0);
    expect(await h.tdb.db.job.count({ where: { app: { userId: u.id } } })).toBe(0);
  });

  it("says in one line why a repository cannot be reached, without git's generic advice", async () => {
    const u = await h.user("free");
    const closed = await freePort();
    const err = await expectTrpcError(u.caller.apps.create({ repoUrl: `https://127.0.0.1:${closed}/acme/shop.git`, branch: "main" }), "BAD_REQUEST", /cannot be reached: /);
    expect(err.message).toMatch(/unable to access|Failed to connect|Connection refused/i);
    expect(err.message).not.toMatch(/correct access rights/);
    expect(err.message.split("\n")).toHaveLength(1);
    expect(await h.tdb.db.app.count({ where: { userId: u.id } })).toBe(0);
  });

  it("keeps the address rules: a private host outside REPO_ALLOW_CIDRS is refused before git runs", async () => {
    const u = await h.user("free");
    await expectTrpcError(u.caller.apps.create({ repoUrl: "https://10.9.8.7/acme/shop.git", branch: "main" }), "BAD_REQUEST", /not a public internet address/);
    expect(await h.tdb.db.app.count({ where: { userId: u.id } })).toBe(0);
  });

  it("picks the line that names the cause from git's output", () => {
    expect(
      usefulGitLine([
        "git@github.com: Permission denied (publickey).",
        "fatal: Could not read from remote repository.",
        "",
        "Please make sure you have the correct access rights",
        "and the repository exists.",
      ]),
    ).toBe("git@github.com: Permission denied (publickey).");
    expect(usefulGitLine(["remote: Repository not found.", "fatal: repository 'https://github.com/a/b.git/' not found"])).toBe("remote: Repository not found.");
    expect(usefulGitLine(["fatal: unable to access 'https://x.invalid/a.git/': Could not resolve host: x.invalid"])).toBe(
      "unable to access 'https://x.invalid/a.git/': Could not resolve host: x.invalid",
    );
  });
});
