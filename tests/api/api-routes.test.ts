import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleApiRequest } from "../../src/server/public-api/handle-api-request";
import { appendBuildLog } from "../../src/server/worker-reports/build-log";
import { insertWorker, markDeployed, startAppHarness, type AppHarness } from "../apps/helpers/app-harness";
import { teamWithEveryRole, type TeamFixture } from "../teams/helpers/team-fixture";
import { api, mintToken } from "./helpers/api-client";
import { readSse } from "./helpers/sse-reader";

type Deployment = { id: number; number: number; status: string; commitSha: string; progress: number | null };

/** The /api/v1 routes doing their work through the dashboard's services (docs/api.md). */
describe("public API routes", () => {
  let h: AppHarness;
  let fx: TeamFixture;
  let workerId: number;
  const name = `api-app-${Date.now() % 100000}`;

  beforeAll(async () => {
    // Live follows re-check their token every second here (30 s by default).
    h = await startAppHarness({ LIVE_SESSION_RECHECK_SECONDS: "1" });
    fx = await teamWithEveryRole(h);
    // Business: no app limit, as this file creates one app per case.
    await h.tdb.db.team.update({ where: { id: fx.teamId }, data: { plan: "business" } });
    workerId = (await insertWorker(h.services)).id;
  });
  afterAll(async () => h.close());

  it("creates, lists, gets, deploys with a deploy-only token, rolls back by number, and deletes", async () => {
    const admin = await mintToken(fx.members.admin, fx.teamId, ["apps:read", "apps:write"]);
    const bad = await api(h, admin, "POST", "/apps", { name: "Not A Name!", repoUrl: 5 });
    expect([bad.status, bad.body.error!.code]).toEqual([400, "BAD_REQUEST"]);
    expect(bad.body.error!.issues!.map((i) => i.path)).toContain("repoUrl");
    expect((await api(h, admin, "POST", "/apps", "{not json")).status).toBe(400);

    const created = await api<{ app: { id: number; name: string; status: string; latestDeployment: Deployment | null } }>(h, admin, "POST", "/apps", { name, repoUrl: "https://github.com/team/api.git", deploy: true });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.app).toMatchObject({ name, status: "deploying", latestDeployment: { number: 1, status: "pending" } });
    const appId = created.body.app.id;
    expect((await api(h, admin, "POST", "/apps", { name, repoUrl: "https://github.com/team/api.git" })).body.error!.code).toBe("CONFLICT");

    const first = await markDeployed(h.services, appId, workerId);
    const ci = await mintToken(fx.members.developer, fx.teamId, ["apps:deploy"]);
    const deployed = await api<{ deployment: Deployment }>(h, ci, "POST", `/apps/${name}/deploy`);
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    expect(deployed.body.deployment).toMatchObject({ number: 2, status: "pending" });
    // The deploy-only token reads nothing else.
    expect((await api(h, ci, "GET", `/apps/${name}`)).status).toBe(403);

    const reader = await mintToken(fx.members.viewer, fx.teamId, ["apps:read"]);
    const list = await api<{ deployments: Deployment[] }>(h, reader, "GET", `/apps/${appId}/deployments`);
    expect(list.body.deployments.map((d) => d.number)).toEqual([2, 1]);
    const one = await api<{ deployment: Deployment }>(h, reader, "GET", `/deployments/${first}`);
    expect(one.body.deployment).toMatchObject({ id: first, number: 1, status: "succeeded", progress: 100 });
    const got = await api<{ app: { currentDeployment: Deployment; latestDeployment: Deployment } }>(h, reader, "GET", `/apps/${name}`);
    expect([got.body.app.currentDeployment.number, got.body.app.latestDeployment.number]).toEqual([1, 2]);

    await markDeployed(h.services, appId, workerId);
    const rb = await api<{ deployment: Deployment & { trigger: string } }>(h, ci, "POST", `/apps/${name}/rollback`, { deployment: 1 });
    expect(rb.status, JSON.stringify(rb.body)).toBe(200);
    expect(rb.body.deployment).toMatchObject({ number: 3, trigger: "rollback" });
    expect((await api(h, ci, "POST", `/apps/${name}/rollback`, { deployment: 42 })).status).toBe(404);
    expect((await api(h, ci, "POST", `/apps/${name}/rollback`, {})).body.error!.code).toBe("BAD_REQUEST");

    const removed = await api(h, admin, "DELETE", `/apps/${name}`);
    expect([removed.status, removed.body]).toEqual([200, { ok: true }]);
    expect((await api(h, admin, "GET", `/apps/${name}`)).status).toBe(404);
  });

  it("env vars: set and unset with env:write, values only for a role that may read secrets", async () => {
    const { app } = await fx.members.owner.caller.apps.create({ name: `${name}-env`, repoUrl: "https://github.com/team/env.git" });
    const writer = await mintToken(fx.members.developer, fx.teamId, ["env:read", "env:write"]);
    const set = await api(h, writer, "PUT", `/apps/${app.id}/env`, { vars: { DATABASE_URL: "postgres://x", API_KEY: "s3cret" } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ ok: true, redeployNeeded: true });
    expect((await api(h, writer, "PUT", `/apps/${app.id}/env`, { vars: { "bad key": "x" } })).body.error!.code).toBe("BAD_REQUEST");

    const devList = await api<{ vars: { key: string; value?: string }[] }>(h, writer, "GET", `/apps/${app.id}/env`);
    expect(devList.body.vars.map((v) => [v.key, v.value]).sort()).toEqual([["API_KEY", "s3cret"], ["DATABASE_URL", "postgres://x"]]);
    const viewer = await mintToken(fx.members.viewer, fx.teamId, ["env:read"]);
    const viewerList = await api<{ vars: { key: string; value?: string }[] }>(h, viewer, "GET", `/apps/${app.id}/env`);
    expect(viewerList.body.vars.map((v) => v.key).sort()).toEqual(["API_KEY", "DATABASE_URL"]);
    expect(JSON.stringify(viewerList.body)).not.toContain("s3cret");
    expect((await api(h, viewer, "DELETE", `/apps/${app.id}/env/API_KEY`)).status).toBe(403);

    expect((await api(h, writer, "DELETE", `/apps/${app.id}/env/API_KEY`)).status).toBe(200);
    const after = await api<{ vars: { key: string }[] }>(h, writer, "GET", `/apps/${app.id}/env`);
    expect(after.body.vars.map((v) => v.key)).toEqual(["DATABASE_URL"]);
  });

  it("domains: add, list and remove by host name", async () => {
    const { app } = await fx.members.owner.caller.apps.create({ name: `${name}-dom`, repoUrl: "https://github.com/team/dom.git" });
    const token = await mintToken(fx.members.developer, fx.teamId, ["domains:read", "domains:write"]);
    const host = `shop${Date.now() % 100000}.example.com`;
    const bad = await api(h, token, "POST", `/apps/${app.name}/domains`, { host: `https://${host}/x` });
    expect(bad.body.error!.code).toBe("BAD_REQUEST");
    const added = await api<{ domain: { hostname: string; status: string; records: { type: string }[] } }>(h, token, "POST", `/apps/${app.name}/domains`, { host });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.domain).toMatchObject({ hostname: host, status: "pending" });
    expect(added.body.domain.records.map((r) => r.type)).toEqual(expect.arrayContaining(["TXT", "CNAME"]));
    const listed = await api<{ domains: { hostname: string }[] }>(h, token, "GET", `/apps/${app.name}/domains`);
    expect(listed.body.domains.map((d) => d.hostname)).toEqual([host]);
    expect((await api(h, token, "DELETE", `/apps/${app.name}/domains/${host}`)).status).toBe(200);
    expect((await api(h, token, "DELETE", `/apps/${app.name}/domains/${host}`)).status).toBe(404);
  });

  it("runtime logs: the recent lines as JSON", async () => {
    const { app } = await fx.members.owner.caller.apps.create({ name: `${name}-rt`, repoUrl: "https://github.com/team/rt.git" });
    await h.tdb.db.runtimeLog.createMany({
      data: [
        { appId: app.id, ts: new Date(Date.now() - 2000), stream: "stdout", line: "listening on 3000" },
        { appId: app.id, ts: new Date(Date.now() - 1000), stream: "stderr", line: "warning: slow" },
      ],
    });
    const token = await mintToken(fx.members.viewer, fx.teamId, ["logs:read"]);
    const res = await api<{ lines: { at: string; stream: string; line: string }[] }>(h, token, "GET", `/apps/${app.name}/logs`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.lines.map((l) => [l.stream, l.line])).toEqual([["stdout", "listening on 3000"], ["stderr", "warning: slow"]]);
    expect(Date.parse(res.body.lines[0]!.at)).toBeGreaterThan(0);
  });

  it("build logs: JSON while running, and ?follow=1 streams lines then ends when the deployment ends", async () => {
    const { app, deployment } = await fx.members.owner.caller.apps.create({ name: `${name}-bl`, repoUrl: "https://github.com/team/bl.git", deploy: true });
    const deploymentId = deployment!.id;
    await h.tdb.db.deployment.update({ where: { id: deploymentId }, data: { workerId, status: "building", startedAt: new Date() } });
    await appendBuildLog(h.services, workerId, { type: "build_log", deployment_id: deploymentId, chunk: "step 1/2: clone\n" } as never);
    const token = await mintToken(fx.members.viewer, fx.teamId, ["logs:read"]);

    const now = await api<{ lines: { line: string }[]; done: boolean }>(h, token, "GET", `/deployments/${deploymentId}/logs`);
    expect(now.body).toMatchObject({ done: false, lines: [{ at: null, stream: "build", line: "step 1/2: clone" }] });

    const abort = new AbortController();
    const res = await handleApiRequest(
      new Request(`http://127.0.0.1:3999/api/v1/deployments/${deploymentId}/logs?follow=1`, { headers: { authorization: `Bearer ${token}`, "x-forwarded-for": "127.0.0.1" }, signal: abort.signal }),
      { services: h.services },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const sse = readSse(res);
    await expect.poll(() => sse.events.map((e) => e.event)).toEqual(["line"]);

    await appendBuildLog(h.services, workerId, { type: "build_log", deployment_id: deploymentId, chunk: "step 2/2: build\npartial" } as never);
    await expect.poll(() => sse.events.length).toBe(2);
    expect(sse.isClosed()).toBe(false);
    await appendBuildLog(h.services, workerId, { type: "build_log", deployment_id: deploymentId, chunk: " line done\n" } as never);
    await h.tdb.db.deployment.update({ where: { id: deploymentId }, data: { status: "succeeded", finishedAt: new Date() } });
    await sse.done;
    expect(sse.events.filter((e) => e.event === "line").map((e) => (e.data as { line: string }).line)).toEqual(["step 1/2: clone", "step 2/2: build", "partial line done"]);
    expect(sse.events.at(-1)).toEqual({ event: "end", data: { status: "succeeded", error: null } });
    expect(app.id).toBeGreaterThan(0);

    // A refused follow is an HTTP error, not a stream.
    const outsider = await mintToken(fx.outsider, fx.outsider.team.id, ["admin"]);
    expect((await api(h, outsider, "GET", `/deployments/${deploymentId}/logs?follow=1`)).status).toBe(404);
  });

  it("a runtime log follow sends new lines live and stops when the token is revoked", async () => {
    const { app } = await fx.members.owner.caller.apps.create({ name: `${name}-rf`, repoUrl: "https://github.com/team/rf.git" });
    const token = await mintToken(fx.members.developer, fx.teamId, ["logs:read"]);
    const res = await handleApiRequest(
      new Request(`http://127.0.0.1:3999/api/v1/apps/${app.name}/logs?follow=1`, { headers: { authorization: `Bearer ${token}`, "x-forwarded-for": "127.0.0.1" } }),
      { services: h.services },
    );
    expect(res.status).toBe(200);
    const sse = readSse(res);
    const line = async (text: string) => {
      const row = await h.tdb.db.runtimeLog.create({ data: { appId: app.id, ts: new Date(), stream: "stdout", line: text } });
      await h.services.bus.publish("app.logs", { appId: app.id, lines: [{ id: row.id.toString(), ts: row.ts.getTime(), stream: "stdout", line: text }] });
    };
    // The bus subscription opens with the stream: publish until the first line arrives.
    await expect.poll(async () => (await line("hello"), sse.events.length), { timeout: 10_000 }).toBeGreaterThan(0);
    expect((sse.events[0]!.data as { line: string }).line).toBe("hello");
    const { id } = (await fx.members.developer.caller.apiTokens.list()).find((t) => t.scopes.join() === "logs:read")!;
    await fx.members.developer.caller.apiTokens.revoke({ id });
    await sse.done;
    expect(sse.events.at(-1)).toMatchObject({ event: "error", data: { code: "UNAUTHORIZED" } });
  });

  it("a follow stops when the token's owner is removed from the team", async () => {
    const { app } = await fx.members.owner.caller.apps.create({ name: `${name}-rm`, repoUrl: "https://github.com/team/rm.git" });
    const member = await h.user();
    await h.tdb.db.teamMember.create({ data: { teamId: fx.teamId, userId: member.id, role: "developer" } });
    const token = await mintToken(member, fx.teamId, ["logs:read"]);
    const res = await handleApiRequest(
      new Request(`http://127.0.0.1:3999/api/v1/apps/${app.id}/logs?follow=1`, { headers: { authorization: `Bearer ${token}`, "x-forwarded-for": "127.0.0.1" } }),
      { services: h.services },
    );
    expect(res.status).toBe(200);
    const sse = readSse(res);
    // Once the stream is live (a line arrives), the removal is what stops it.
    await expect
      .poll(async () => {
        const row = await h.tdb.db.runtimeLog.create({ data: { appId: app.id, ts: new Date(), stream: "stdout", line: "up" } });
        await h.services.bus.publish("app.logs", { appId: app.id, lines: [{ id: row.id.toString(), ts: row.ts.getTime(), stream: "stdout", line: "up" }] });
        return sse.events.length;
      })
      .toBeGreaterThan(0);
    await fx.members.owner.caller.teams.removeMember({ userId: member.id });
    await sse.done;
    expect(sse.events.at(-1)).toMatchObject({ event: "error", data: { code: "FORBIDDEN" } });
  });
});
