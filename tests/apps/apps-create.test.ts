import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cipherContext } from "../../src/server/crypto/secret-cipher";
import { deployPayloadSchema } from "../../src/protocol/job-payload";
import { expectTrpcError, startAppHarness, type AppHarness } from "./helpers/app-harness";

const REPO = "https://github.com/acme/shop.git";

describe("apps.create", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness();
  });
  afterAll(async () => h.close());

  it("creates an app with a chosen name, its subdomain and an audit event", async () => {
    const u = await h.user("pro");
    const { app, deployment } = await u.caller.apps.create({ name: "my-shop-app", repoUrl: REPO, branch: "main" });
    expect(deployment).toBeNull();
    expect(app.name).toBe("my-shop-app");
    const row = await h.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
    expect(row).toMatchObject({ subdomain: "my-shop-app", userId: u.id, status: "pending", plan: "pro", repoUrl: REPO });
    const audit = await h.tdb.db.auditEvent.findFirst({ where: { userId: u.id, kind: "app_create" } });
    expect(audit?.targetId).toBe(String(app.id));
  });

  it("generates an adjective-noun-NNNN name when none is given", async () => {
    const u = await h.user("pro");
    const { app } = await u.caller.apps.create({ repoUrl: REPO });
    expect(app.name).toMatch(/^[a-z]+-[a-z]+-\d{4}$/);
  });

  it.each([
    ["short", /7–32 characters/],
    ["a".repeat(33), /7–32 characters/],
    ["My_App_Name", /lower-case letters/],
    ["-leading-hyphen", /start or end with a hyphen/],
    ["trailing-", /start or end with a hyphen/],
    ["double--hyphen", /two hyphens/],
    ["dashboard", /7–32|reserved/],
    ["wisehosting", /reserved/],
    ["app name spaces", /lower-case letters/],
    ["MyShopApp", /lower-case letters/],
    ["shop.app.name", /lower-case letters/],
    ["naïve-shop-app", /lower-case letters/],
    ["shop\napp-name", /lower-case letters/],
  ])("refuses the name %j", async (name, message) => {
    const u = await h.user("pro");
    await expectTrpcError(u.caller.apps.create({ name, repoUrl: REPO }), "BAD_REQUEST", message);
    expect(await h.tdb.db.app.count({ where: { userId: u.id } })).toBe(0);
  });

  it("refuses a duplicate name, also when two creates race", async () => {
    const a = await h.user("pro");
    const b = await h.user("pro");
    await a.caller.apps.create({ name: "taken-name", repoUrl: REPO });
    await expectTrpcError(b.caller.apps.create({ name: "taken-name", repoUrl: REPO }), "CONFLICT", /already taken/);
    const results = await Promise.allSettled([
      a.caller.apps.create({ name: "racing-name", repoUrl: REPO }),
      b.caller.apps.create({ name: "racing-name", repoUrl: REPO }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((rejected.reason as { code: string }).code).toBe("CONFLICT");
    expect(await h.tdb.db.app.count({ where: { name: "racing-name" } })).toBe(1);
  });

  it("enforces the plan's app limit with a message naming plan and limit, also under a race", async () => {
    const u = await h.user("free");
    await u.caller.apps.create({ name: "first-free-app", repoUrl: REPO });
    const err = await expectTrpcError(u.caller.apps.create({ name: "second-free-app", repoUrl: REPO }), "FORBIDDEN", /Free plan allows 1 app/);
    expect(err.message).toMatch(/upgrade/);

    const racer = await h.user("free");
    const results = await Promise.allSettled(
      ["race-app-one", "race-app-two", "race-app-three"].map((name) => racer.caller.apps.create({ name, repoUrl: REPO })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await h.tdb.db.app.count({ where: { userId: racer.id, deletedAt: null } })).toBe(1);
  });

  it.each([
    ["https://user:pass@github.com/acme/shop.git", /credentials/],
    ["https://token@github.com/acme/shop.git", /credentials/],
    ["ext::sh -c touch% /tmp/pwned", /transport|not allowed|spaces/],
    ["ext::sh", /transport helpers/],
    ["fd::17", /transport helpers/],
    ["git://github.com/acme/shop.git", /git transport is not allowed/],
    ["ftp://example.com/repo.git", /ftp transport/],
    ["http://github.com/acme/shop.git", /https/],
    ["-uhttps://github.com/x", /start with '-'/],
    ["https://github.com/acme/shop.git?x=1", /query/],
    ["https://github.com/", /repository path/],
  ])("refuses the repository URL %j", async (repoUrl, message) => {
    const u = await h.user("pro");
    await expectTrpcError(u.caller.apps.create({ name: "url-check-app", repoUrl }), "BAD_REQUEST", message);
  });

  it("accepts ssh and scp-like URLs", async () => {
    const u = await h.user("pro");
    await u.caller.apps.create({ repoUrl: "git@github.com:acme/shop.git" });
    await u.caller.apps.create({ repoUrl: "ssh://git@gitlab.com/acme/shop.git" });
    expect(await h.tdb.db.app.count({ where: { userId: u.id } })).toBe(2);
  });

  it.each(["-main", "--upload-pack=evil", "feature..x", "has space", "ends.lock", "a:b", ""])(
    "refuses the branch %j",
    async (branch) => {
      const u = await h.user("pro");
      await expectTrpcError(u.caller.apps.create({ repoUrl: REPO, branch }), "BAD_REQUEST");
    },
  );

  it("create with deploy: app, env vars, deployment and encrypted job in one go; the app goes deploying", async () => {
    const u = await h.user("pro");
    const { app, deployment } = await u.caller.apps.create({
      name: "deploy-now-app",
      repoUrl: REPO,
      branch: "release",
      internalPort: 3000,
      env: [{ key: "DATABASE_URL", value: "postgres://db/x" }],
      deploy: true,
    });
    expect(app.status).toBe("deploying");
    expect(deployment).not.toBeNull();
    const job = await h.tdb.db.job.findFirstOrThrow({ where: { appId: app.id } });
    expect(job).toMatchObject({ type: "deploy", status: "pending", deploymentId: deployment!.id, workerId: null, reqCpu: 2, reqMem: 2048 });
    expect(job.payload.startsWith("v1:")).toBe(true);
    const payload = deployPayloadSchema.parse(JSON.parse(h.services.cipher.decrypt(job.payload, cipherContext.jobPayload(app.id))));
    expect(payload).toMatchObject({ repoUrl: REPO, branch: "release", internalPort: 3000, subdomain: "deploy-now-app", env: { DATABASE_URL: "postgres://db/x" } });
    expect(payload.limits).toEqual({ cpu: 2, memoryMb: 2048, pids: 1024, diskMb: 10240, bandwidthMbit: 100 });
    const env = await h.tdb.db.appEnvVar.findFirstOrThrow({ where: { appId: app.id } });
    expect(env.value.startsWith("v1:")).toBe(true);
    expect((await h.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).status).toBe("deploying");
  });

  it("leaves nothing behind when env vars in a create are invalid", async () => {
    const u = await h.user("pro");
    await expectTrpcError(
      u.caller.apps.create({ name: "bad-env-app", repoUrl: REPO, env: [{ key: "lower", value: "x" }], deploy: true }),
      "BAD_REQUEST",
    );
    await expectTrpcError(
      u.caller.apps.create({ name: "dup-env-app", repoUrl: REPO, env: [{ key: "A", value: "1" }, { key: "A", value: "2" }] }),
      "BAD_REQUEST",
      /set twice/,
    );
    expect(await h.tdb.db.app.count({ where: { userId: u.id } })).toBe(0);
  });

  it("create takes a pasted .env; a bad line refuses the create and reports every bad line", async () => {
    const u = await h.user("pro");
    const err = await expectTrpcError(
      u.caller.apps.create({ name: "paste-env-app", repoUrl: REPO, envText: "GOOD=1\nbad line\nlower=x" }),
      "BAD_REQUEST",
      /2 bad lines/,
    );
    // The error formatter sends the domain error's details to the client as data.details.
    const details = (err as unknown as { cause?: { details?: { envErrors?: { line: number }[] } } }).cause?.details;
    expect(details?.envErrors?.map((e) => e.line)).toEqual([2, 3]);
    expect(await h.tdb.db.app.count({ where: { userId: u.id } })).toBe(0);
    const { app } = await u.caller.apps.create({ name: "paste-env-app", repoUrl: REPO, envText: "GOOD=1\nOTHER='two'" });
    expect((await u.caller.envVars.list({ appId: app.id })).map((e) => e.key)).toEqual(["GOOD", "OTHER"]);
  });

  it("accepts file:// repositories where local repositories are enabled (development)", async () => {
    const u = await h.user("pro");
    const { app } = await u.caller.apps.create({ repoUrl: "file:///srv/repos/shop" });
    expect(app.repoUrl).toBe("file:///srv/repos/shop");
    await expectTrpcError(u.caller.apps.create({ repoUrl: "file://host/srv/repo" }), "BAD_REQUEST", /absolute paths/);
    await expectTrpcError(u.caller.apps.create({ repoUrl: "file:///srv/../etc" }), "BAD_REQUEST");
  });
});

describe("apps.create where local repositories are disabled (production default)", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ LOCAL_REPOS_ENABLED: "false" });
  });
  afterAll(async () => h.close());

  it("refuses file:// URLs, on create, on spec update and on deploy of an app created earlier", async () => {
    const u = await h.user("pro");
    await expectTrpcError(u.caller.apps.create({ name: "local-repo-app", repoUrl: "file:///srv/repos/shop" }), "BAD_REQUEST", /LOCAL_REPOS_ENABLED/);
    const { app } = await u.caller.apps.create({ name: "remote-repo-app", repoUrl: REPO });
    await expectTrpcError(u.caller.apps.updateSpec({ appId: app.id, spec: { repoUrl: "file:///srv/repos/shop" } }), "BAD_REQUEST", /LOCAL_REPOS_ENABLED/);
    await h.tdb.db.app.update({ where: { id: app.id }, data: { repoUrl: "file:///srv/repos/shop" } });
    await expectTrpcError(u.caller.apps.deploy({ appId: app.id }), "BAD_REQUEST", /LOCAL_REPOS_ENABLED/);
    expect(await h.tdb.db.deployment.count({ where: { appId: app.id } })).toBe(0);
  });
});

describe("apps.create refuses repository hosts that are not public (the webhook address policy)", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness();
  });
  afterAll(async () => h.close());

  it.each([
    "https://127.0.0.1/acme/shop.git",
    "https://169.254.169.254/latest/meta-data.git",
    "https://10.1.2.3/acme/shop.git",
    "https://[::1]/acme/shop.git",
    "https://[::127.0.0.1]/acme/shop.git",
    "https://[::ffff:192.168.0.1]/acme/shop.git",
    "ssh://git@100.64.0.1/acme/shop.git",
    "git@192.168.1.10:acme/shop.git",
    // A name, resolved when the app is saved: localhost is loopback.
    "https://localhost/acme/shop.git",
    "git@localhost:acme/shop.git",
  ])("refuses %s on create and on spec update, naming the setting that allows it", async (repoUrl) => {
    const u = await h.user("pro");
    await expectTrpcError(u.caller.apps.create({ repoUrl }), "BAD_REQUEST", /not a public internet address.*REPO_ALLOW_CIDRS/);
    const { app } = await u.caller.apps.create({ repoUrl: REPO });
    await expectTrpcError(u.caller.apps.updateSpec({ appId: app.id, spec: { repoUrl } }), "BAD_REQUEST", /REPO_ALLOW_CIDRS/);
    expect((await h.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).repoUrl).toBe(REPO);
    expect(await h.tdb.db.app.count({ where: { userId: u.id } })).toBe(1);
  });

  it("says which address a name resolved to", async () => {
    const u = await h.user("pro");
    await expectTrpcError(u.caller.apps.create({ repoUrl: "https://localhost/acme/shop.git" }), "BAD_REQUEST", /localhost resolves to (127\.0\.0\.1|::1), which is not a public internet address/);
  });
});

describe("apps.create with REPO_ALLOW_CIDRS (a private git server)", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ REPO_ALLOW_CIDRS: "10.20.0.0/16, 127.0.0.0/8" });
  });
  afterAll(async () => h.close());

  it("accepts hosts inside the allowed CIDRs and still refuses the rest", async () => {
    const u = await h.user("pro");
    await u.caller.apps.create({ repoUrl: "https://10.20.3.4/acme/shop.git" });
    await u.caller.apps.create({ repoUrl: "git@127.0.0.1:acme/shop.git" });
    await expectTrpcError(u.caller.apps.create({ repoUrl: "https://169.254.169.254/x/y.git" }), "BAD_REQUEST", /REPO_ALLOW_CIDRS/);
    await expectTrpcError(u.caller.apps.create({ repoUrl: "https://10.21.0.1/acme/shop.git" }), "BAD_REQUEST", /REPO_ALLOW_CIDRS/);
  });

  it("an invalid REPO_ALLOW_CIDRS stops the configuration with its name", async () => {
    await expect(startAppHarness({ REPO_ALLOW_CIDRS: "10.0.0.0/8, not-a-cidr" })).rejects.toThrow(/REPO_ALLOW_CIDRS.*not-a-cidr/s);
  });
});
