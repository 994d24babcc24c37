import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, startAppHarness, type AppHarness, type TestUser } from "./helpers/app-harness";
import { startPushServer } from "./helpers/push-http-server";

const SHA = "0123456789abcdef0123456789abcdef01234567";

function githubPush(repo: string, branch: string, sha = SHA) {
  return {
    ref: `refs/heads/${branch}`,
    after: sha,
    deleted: false,
    repository: { full_name: repo, clone_url: `https://github.com/${repo}.git`, ssh_url: `git@github.com:${repo}.git`, html_url: `https://github.com/${repo}` },
    head_commit: { id: sha, message: "Fix the checkout button" },
    pusher: { name: "alice" },
  };
}

describe("push webhooks", () => {
  let h: AppHarness;
  let server: Awaited<ReturnType<typeof startPushServer>>;
  let u: TestUser;

  beforeAll(async () => {
    h = await startAppHarness();
    server = await startPushServer(h.services);
    u = await h.user("business");
  });
  afterAll(async () => {
    await server.close();
    await h.close();
  });

  async function appWithAutoDeploy(name: string, repoUrl: string, branch = "main", caller = u.caller) {
    const { app } = await caller.apps.create({ name, repoUrl, branch });
    const hook = await caller.apps.setAutoDeploy({ appId: app.id, enabled: true });
    return { app, url: hook.url!.replace("http://127.0.0.1:3999", server.url), secret: hook.secret! };
  }

  function post(url: string, body: string | Buffer, headers: Record<string, string>) {
    return fetch(url, { method: "POST", body: typeof body === "string" ? body : new Uint8Array(body), headers: { "content-type": "application/json", ...headers } });
  }

  const sign = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex");

  it("GitHub: a signed push deploys with the commit identity recorded up front", async () => {
    const { app, url, secret } = await appWithAutoDeploy("gh-push-app", "https://github.com/acme/gh-shop.git");
    const body = JSON.stringify(githubPush("acme/gh-shop", "main"));
    const res = await post(url, body, { "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": `sha256=${sign(secret, body)}` });
    expect(res.status).toBe(202);
    const json = await res.json();
    expect(json.deployed).toEqual([{ appId: app.id, deploymentId: expect.any(Number) }]);
    const d = await h.tdb.db.deployment.findUniqueOrThrow({ where: { id: json.deployed[0].deploymentId } });
    expect(d).toMatchObject({ trigger: "push", commitSha: SHA, commitMessage: "Fix the checkout button", branch: "main", triggeredBy: "github push by alice", status: "pending" });
    expect(await h.tdb.db.job.count({ where: { deploymentId: d.id, type: "deploy" } })).toBe(1);
    await h.tdb.db.job.updateMany({ where: { appId: app.id }, data: { status: "completed" } });
  });

  it("refuses bad or missing signatures, and replays of a delivery id", async () => {
    const { app, url, secret } = await appWithAutoDeploy("gh-sig-app", "https://github.com/acme/sig.git");
    const body = JSON.stringify(githubPush("acme/sig", "main"));
    const missing = await post(url, body, { "x-github-event": "push", "x-github-delivery": randomUUID() });
    expect(missing.status).toBe(401);
    expect((await missing.json()).message).toMatch(/missing X-Hub-Signature-256/);
    const wrong = await post(url, body, { "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": `sha256=${sign("not-the-secret", body)}` });
    expect(wrong.status).toBe(401);
    const tampered = await post(url, body.replace("main", "evil"), { "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": `sha256=${sign(secret, body)}` });
    expect(tampered.status).toBe(401);
    expect(await h.tdb.db.deployment.count({ where: { appId: app.id } })).toBe(0);

    const delivery = randomUUID();
    const headers = { "x-github-event": "push", "x-github-delivery": delivery, "x-hub-signature-256": `sha256=${sign(secret, body)}` };
    expect((await post(url, body, headers)).status).toBe(202);
    await h.tdb.db.job.updateMany({ where: { appId: app.id }, data: { status: "completed" } });
    const replay = await post(url, body, headers);
    expect(replay.status).toBe(200);
    expect((await replay.json()).message).toMatch(/Duplicate delivery/);
    expect(await h.tdb.db.deployment.count({ where: { appId: app.id } })).toBe(1);
  });

  it("a captured signed body replayed with a new or missing delivery id does not deploy again", async () => {
    const { app, url, secret } = await appWithAutoDeploy("gh-replay-app", "https://github.com/acme/replay.git");
    const body = JSON.stringify(githubPush("acme/replay", "main"));
    const signed = { "x-github-event": "push", "x-hub-signature-256": `sha256=${sign(secret, body)}` };
    expect((await post(url, body, { ...signed, "x-github-delivery": randomUUID() })).status).toBe(202);
    await h.tdb.db.job.updateMany({ where: { appId: app.id }, data: { status: "completed" } });
    for (const headers of [{ ...signed, "x-github-delivery": randomUUID() }, signed]) {
      const replay = await post(url, body, headers);
      expect(replay.status).toBe(200);
      expect((await replay.json()).message).toMatch(/Duplicate delivery/);
    }
    // The same bytes re-indented are a different body, but still the same push: the freshness
    // check refuses it as already deployed.
    const reformatted = JSON.stringify(githubPush("acme/replay", "main"), null, 2);
    const again = await post(url, reformatted, { "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": `sha256=${sign(secret, reformatted)}` });
    expect((await again.json()).message).toMatch(/Refused: commit 0123456789ab is already the app's latest deployment of main/);
    expect(await h.tdb.db.deployment.count({ where: { appId: app.id } })).toBe(1);
  });

  it("GitHub: a push made before the app's latest deployment is refused and recorded; the next push deploys", async () => {
    const { app, url, secret } = await appWithAutoDeploy("gh-older-app", "https://github.com/acme/older.git");
    const now = Math.floor(Date.now() / 1000);
    const push = (before: string, after: string, pushedAt: number) => ({
      ...githubPush("acme/older", "main", after),
      before,
      commits: [{ id: after, message: `commit ${after.slice(0, 4)}` }],
      repository: { ...githubPush("acme/older", "main").repository, pushed_at: pushedAt },
    });
    const send = async (payload: object) => {
      const body = JSON.stringify(payload);
      const res = await post(url, body, { "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": `sha256=${sign(secret, body)}` });
      await h.tdb.db.job.updateMany({ where: { appId: app.id }, data: { status: "completed" } });
      return { status: res.status, json: await res.json() };
    };
    const [a1, a2, a3] = ["a1".repeat(20), "a2".repeat(20), "a3".repeat(20)];
    const newer = await send(push("a0".repeat(20), a2, now));
    expect(newer.json.deployed).toHaveLength(1);

    // Pushed an hour earlier, never delivered until now (say, held back by whoever captured it).
    const older = await send(push("a0".repeat(20), a1, now - 3600));
    expect(older.status).toBe(202);
    expect(older.json.deployed).toEqual([]);
    expect(older.json.refused).toEqual([{ appId: app.id, reason: expect.stringMatching(/pushed at .* before the app's latest deployment of main/) }]);
    const audit = await h.tdb.db.auditEvent.findFirstOrThrow({ where: { userId: u.id, kind: "push_refused", targetId: String(app.id) } });
    expect(audit.metadata).toMatchObject({ vendor: "github", branch: "main", commitSha: a1, bodySha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const next = await send(push(a2, a3, now + 1));
    expect(next.json.deployed).toHaveLength(1);
    const commits = await h.tdb.db.deployment.findMany({ where: { appId: app.id }, orderBy: { id: "asc" }, select: { commitSha: true } });
    expect(commits.map((d) => d.commitSha)).toEqual([a2, a3]);
  });

  it("GitLab (no push time in the body): a push on top of a commit the branch has moved past is refused; the next push deploys", async () => {
    const { app, url, secret } = await appWithAutoDeploy("gl-older-app", "https://gitlab.com/acme/gl-older.git");
    const push = (before: string, after: string, user = "bob") =>
      JSON.stringify({
        object_kind: "push",
        ref: "refs/heads/main",
        before,
        after,
        checkout_sha: after,
        user_username: user,
        project: { git_http_url: "https://gitlab.com/acme/gl-older.git", web_url: "https://gitlab.com/acme/gl-older" },
        commits: [{ id: after, message: `commit ${after.slice(0, 4)}` }],
      });
    const send = async (body: string) => {
      const res = await post(url, body, { "x-gitlab-event": "Push Hook", "x-gitlab-event-uuid": randomUUID(), "x-gitlab-token": secret });
      await h.tdb.db.job.updateMany({ where: { appId: app.id }, data: { status: "completed" } });
      return res.json();
    };
    const [a0, a1, a2, a3, a4] = ["b0", "b1", "b2", "b3", "b4"].map((x) => x.repeat(20));
    expect((await send(push(a0!, a1!))).deployed).toHaveLength(1);
    expect((await send(push(a2!, a3!))).deployed).toHaveLength(1);
    // a1 → a2 happened between the two, but arrives last: its before (a1) is behind a3.
    const late = await send(push(a1!, a2!));
    expect(late.refused).toEqual([{ appId: app.id, reason: expect.stringMatching(/pushed on top of b1b1.*which main had moved past/) }]);
    // A body naming an old head (a1) that does not build on a3 and is not marked forced.
    const stale = await send(push(a0!, a1!, "mallory"));
    expect(stale.refused).toEqual([{ appId: app.id, reason: expect.stringMatching(/head commit b1b1.* was deployed before b3b3/) }]);
    expect(await h.tdb.db.auditEvent.count({ where: { userId: u.id, kind: "push_refused", targetId: String(app.id) } })).toBe(2);

    expect((await send(push(a3!, a4!))).deployed).toHaveLength(1);
    const commits = await h.tdb.db.deployment.findMany({ where: { appId: app.id }, orderBy: { id: "asc" }, select: { commitSha: true } });
    expect(commits.map((d) => d.commitSha)).toEqual([a1, a3, a4]);
  });

  it("ignores other branches, tags, deleted branches and pings", async () => {
    const { app, url, secret } = await appWithAutoDeploy("gh-branch-app", "https://github.com/acme/branches.git", "production");
    const send = (payload: object, event = "push") => {
      const body = JSON.stringify(payload);
      return post(url, body, { "x-github-event": event, "x-github-delivery": randomUUID(), "x-hub-signature-256": `sha256=${sign(secret, body)}` });
    };
    const other = await send(githubPush("acme/branches", "main"));
    expect(other.status).toBe(202);
    expect((await other.json()).message).toMatch(/branch main is not tracked/);
    const tag = await send({ ...githubPush("acme/branches", "production"), ref: "refs/tags/v1.0" });
    expect((await tag.json()).message).toMatch(/only branch pushes/);
    const deleted = await send({ ...githubPush("acme/branches", "production"), deleted: true, after: "0".repeat(40) });
    expect((await deleted.json()).message).toMatch(/deleted/);
    const ping = await send({ zen: "hi" }, "ping");
    expect(ping.status).toBe(200);
    const otherRepo = await send(githubPush("mallory/other", "production"));
    expect((await otherRepo.json()).message).toMatch(/not the one this app tracks/);
    expect(await h.tdb.db.deployment.count({ where: { appId: app.id } })).toBe(0);
  });

  it("refuses a 10 MB body without reading it all, and unknown endpoints", async () => {
    const { url } = await appWithAutoDeploy("gh-big-app", "https://github.com/acme/big.git");
    const huge = Buffer.alloc(10 * 1024 * 1024, 0x61);
    const res = await post(url, huge, { "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": "sha256=00" });
    expect(res.status).toBe(413);
    const unknown = await post(`${server.url}/api/webhooks/git/AAAAAAAAAAAAAAAAAAAAAAAA`, "{}", { "x-github-event": "push" });
    expect(unknown.status).toBe(404);
  });

  it("refuses deliveries to an app whose endpoint has no secret", async () => {
    const { app, url } = await appWithAutoDeploy("no-secret-app", "https://github.com/acme/nosecret.git");
    await h.tdb.db.app.update({ where: { id: app.id }, data: { webhookSecret: null } });
    const body = JSON.stringify(githubPush("acme/nosecret", "main"));
    const res = await post(url, body, { "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": `sha256=${sign("", body)}` });
    expect(res.status).toBe(403);
  });

  it("GitLab: X-Gitlab-Token checked; Push Hook parsed", async () => {
    const { app, url, secret } = await appWithAutoDeploy("gl-push-app", "https://gitlab.com/acme/gl-shop.git");
    const body = JSON.stringify({
      object_kind: "push",
      ref: "refs/heads/main",
      after: SHA,
      checkout_sha: SHA,
      user_username: "bob",
      project: { git_http_url: "https://gitlab.com/acme/gl-shop.git", git_ssh_url: "git@gitlab.com:acme/gl-shop.git", web_url: "https://gitlab.com/acme/gl-shop" },
      commits: [{ id: SHA, message: "GitLab commit" }],
    });
    expect((await post(url, body, { "x-gitlab-event": "Push Hook", "x-gitlab-event-uuid": randomUUID(), "x-gitlab-token": "wrong" })).status).toBe(401);
    expect((await post(url, body, { "x-gitlab-event": "Push Hook", "x-gitlab-event-uuid": randomUUID() })).status).toBe(401);
    const ok = await post(url, body, { "x-gitlab-event": "Push Hook", "x-gitlab-event-uuid": randomUUID(), "x-gitlab-token": secret });
    expect(ok.status).toBe(202);
    const d = await h.tdb.db.deployment.findFirstOrThrow({ where: { appId: app.id } });
    expect(d).toMatchObject({ commitSha: SHA, commitMessage: "GitLab commit", triggeredBy: "gitlab push by bob" });
  });

  it("Gitea/Codeberg: X-Gitea-Signature (hex HMAC) checked even though GitHub headers are also sent", async () => {
    const { app, url, secret } = await appWithAutoDeploy("gitea-push-app", "https://codeberg.org/acme/cb-shop.git");
    const body = JSON.stringify({
      ref: "refs/heads/main",
      after: SHA,
      repository: { clone_url: "https://codeberg.org/acme/cb-shop.git", ssh_url: "git@codeberg.org:acme/cb-shop.git", html_url: "https://codeberg.org/acme/cb-shop" },
      head_commit: { id: SHA, message: "Codeberg commit" },
      pusher: { login: "carol", username: "carol" },
    });
    const base = { "x-gitea-event": "push", "x-github-event": "push", "x-gitea-delivery": randomUUID() };
    expect((await post(url, body, { ...base, "x-hub-signature-256": `sha256=${sign(secret, body)}` })).status).toBe(401);
    const ok = await post(url, body, { ...base, "x-gitea-delivery": randomUUID(), "x-gitea-signature": sign(secret, body) });
    expect(ok.status).toBe(202);
    expect(await h.tdb.db.deployment.findFirstOrThrow({ where: { appId: app.id } })).toMatchObject({ commitMessage: "Codeberg commit", triggeredBy: "gitea push by carol" });
  });

  it("Bitbucket: X-Hub-Signature sha256 checked; repo:push parsed", async () => {
    const { app, url, secret } = await appWithAutoDeploy("bb-push-app", "https://bitbucket.org/acme/bb-shop.git");
    const body = JSON.stringify({
      actor: { nickname: "dave" },
      repository: { full_name: "acme/bb-shop", links: { html: { href: "https://bitbucket.org/acme/bb-shop" } } },
      push: { changes: [{ new: { type: "branch", name: "main", target: { hash: SHA, message: "Bitbucket commit\n" } }, closed: false }] },
    });
    expect((await post(url, body, { "x-event-key": "repo:push", "x-request-uuid": randomUUID() })).status).toBe(401);
    const ok = await post(url, body, { "x-event-key": "repo:push", "x-request-uuid": randomUUID(), "x-hub-signature": `sha256=${sign(secret, body)}` });
    expect(ok.status).toBe(202);
    expect(await h.tdb.db.deployment.findFirstOrThrow({ where: { appId: app.id } })).toMatchObject({ commitSha: SHA, triggeredBy: "bitbucket push by dave" });
  });

  it("fans out to every auto-deploy app of the owner tracking repo+branch, each isolated; other users' apps are untouched", async () => {
    const repo = "acme/fanout";
    const first = await appWithAutoDeploy("fanout-one", `https://github.com/${repo}.git`);
    const second = await appWithAutoDeploy("fanout-two", `git@github.com:${repo}`);
    const busy = await appWithAutoDeploy("fanout-busy", `https://github.com/${repo}`);
    await u.caller.apps.deploy({ appId: busy.app.id });
    const manual = (await u.caller.apps.create({ name: "fanout-manual", repoUrl: `https://github.com/${repo}.git` })).app;
    const otherBranch = await appWithAutoDeploy("fanout-staging", `https://github.com/${repo}.git`, "staging");
    const stranger = await h.user("business");
    const strangers = await appWithAutoDeploy("fanout-stranger", `https://github.com/${repo}.git`, "main", stranger.caller);

    const body = JSON.stringify(githubPush(repo, "main"));
    const res = await post(first.url, body, { "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": `sha256=${sign(first.secret, body)}` });
    const json = await res.json();
    expect(res.status).toBe(202);
    expect(json.deployed.map((d: { appId: number }) => d.appId).sort()).toEqual([first.app.id, second.app.id].sort());
    expect(json.skipped).toEqual([{ appId: busy.app.id, reason: expect.stringMatching(/already pending/) }]);
    for (const id of [manual.id, otherBranch.app.id, strangers.app.id]) {
      expect(await h.tdb.db.deployment.count({ where: { appId: id } })).toBe(0);
    }
  });

  it("setAutoDeploy and rotate are owner-only", async () => {
    const { app } = await appWithAutoDeploy("owner-only-hook", "https://github.com/acme/owner.git");
    const stranger = await h.user("pro");
    await expectTrpcError(stranger.caller.apps.autoDeploy({ appId: app.id }), "NOT_FOUND");
  });
});
