import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markAt, runAt } from "../../src/server/apps/log-run-at";
import { runtimeLogExport } from "../../src/server/apps/runtime-log-export";
import { expectTrpcError, insertWorker, markDeployed, startAppHarness, type AppHarness } from "./helpers/app-harness";

/** Issue 16 item 8: every runtime log line carries its deploy/restart; Download is every stored line. */
describe("runtime logs marked with their run, downloaded whole", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness();
  });
  afterAll(async () => h.close());

  const T0 = Date.parse("2026-12-01T10:00:00.000Z");
  const at = (s: number) => new Date(T0 + s * 1000);

  async function appWithHistory() {
    const u = await h.user("pro");
    const worker = await insertWorker(h.services);
    const { app } = await u.caller.apps.create({ name: `logs-${Date.now() % 1e6}`, repoUrl: "https://github.com/acme/logs.git" });
    // Deployment #1 goes live at +0 s, is restarted at +100 s, deployment #2 goes live at +200 s:
    // sent to the worker at +190 s, its first status stored only at +197 s (a busy hub), after
    // the new version's first line at +195 s.
    await u.caller.apps.deploy({ appId: app.id });
    await markDeployed(h.services, app.id, worker.id);
    await h.tdb.db.job.updateMany({ where: { appId: app.id, type: "deploy" }, data: { completedAt: at(0) } });
    await h.tdb.db.job.create({ data: { type: "restart", appId: app.id, status: "completed", completedAt: at(100) } });
    await h.tdb.db.job.create({ data: { type: "restart", appId: app.id, status: "failed", completedAt: at(150) } });
    await u.caller.apps.deploy({ appId: app.id });
    await markDeployed(h.services, app.id, worker.id);
    await h.tdb.db.job.updateMany({ where: { appId: app.id, type: "deploy", completedAt: { gt: at(1000) } }, data: { dispatchedAt: at(190), startedAt: at(197), completedAt: at(200) } });
    const lines = [
      [-5, "stdout", "before anything"],
      [10, "stdout", "v1 up"],
      [20, "stderr", "v1 warning"],
      [110, "stdout", "v1 after restart"],
      [160, "stdout", "still v1 (the second restart failed)"],
      [195, "stdout", "v2 starting beside v1"],
      [210, "stdout", "v2 up"],
      [220, "stderr", "v2 error"],
    ] as const;
    await h.tdb.db.runtimeLog.createMany({ data: lines.map(([s, stream, line]) => ({ appId: app.id, workerId: worker.id, ts: at(s), stream, line })) });
    return { u, app };
  }

  it("lists the runs: each deploy by its per-app number, restarts counted within it, failed jobs left out", async () => {
    const { u, app } = await appWithHistory();
    const runs = await u.caller.apps.logRuns({ appId: app.id });
    expect(runs.map((r) => [r.from - T0, r.label])).toEqual([
      [0, "deployment #1"],
      [100_000, "deployment #1, restart 1"],
      [190_000, "deployment #2"],
    ]);
    expect(runAt(runs, T0 - 1)).toBeNull();
    expect(runAt(runs, T0 + 150_000)?.label).toBe("deployment #1, restart 1");
    expect(runAt(runs, T0 + 200_000)?.label).toBe("deployment #2");
    // Between the deploy's start and its switch both versions may write: the mark names both.
    expect(markAt(runs, T0 + 195_000)).toEqual({ label: "deployment #1, restart 1 or deployment #2 (written while deployment #2 was starting)", short: "#1 ↻1/#2" });
    expect(markAt(runs, T0 + 200_000)).toEqual({ label: "deployment #2", short: "#2" });
    expect(markAt(runs, T0 + 110_000)).toEqual({ label: "deployment #1, restart 1", short: "#1 ↻1" });
    expect(markAt(runs, T0 - 1)).toBeNull();
  });

  it("Download has every stored line, both streams, each with its run, oldest first", async () => {
    const { u, app } = await appWithHistory();
    const { appName, body } = await runtimeLogExport(h.services.db, { userId: u.id, team: u.team }, app.id);
    expect(appName).toBe(app.name);
    const text = await new Response(body).text();
    expect(text.trimEnd().split("\n")).toEqual([
      "2026-12-01T09:59:55.000Z stdout [before the first recorded deploy] before anything",
      "2026-12-01T10:00:10.000Z stdout [deployment #1] v1 up",
      "2026-12-01T10:00:20.000Z stderr [deployment #1] v1 warning",
      "2026-12-01T10:01:50.000Z stdout [deployment #1, restart 1] v1 after restart",
      "2026-12-01T10:02:40.000Z stdout [deployment #1, restart 1] still v1 (the second restart failed)",
      "2026-12-01T10:03:15.000Z stdout [deployment #1, restart 1 or deployment #2 (written while deployment #2 was starting)] v2 starting beside v1",
      "2026-12-01T10:03:30.000Z stdout [deployment #2] v2 up",
      "2026-12-01T10:03:40.000Z stderr [deployment #2] v2 error",
    ]);
  });

  it("Download pages through more lines than one query returns", async () => {
    const { u, app } = await appWithHistory();
    await h.tdb.db.runtimeLog.createMany({ data: Array.from({ length: 12_003 }, (_, i) => ({ appId: app.id, ts: at(300 + i / 1000), stream: "stdout" as const, line: `bulk ${i}` })) });
    const text = await new Response((await runtimeLogExport(h.services.db, { userId: u.id, team: u.team }, app.id)).body).text();
    const rows = text.trimEnd().split("\n");
    expect(rows).toHaveLength(8 + 12_003);
    expect(rows.at(-1)).toMatch(/\[deployment #2\] bulk 12002$/);
  });

  it("another team's app is not found, for the runs and the download", async () => {
    const { app } = await appWithHistory();
    const stranger = await h.user("pro");
    await expectTrpcError(stranger.caller.apps.logRuns({ appId: app.id }), "NOT_FOUND");
    await expect(runtimeLogExport(h.services.db, { userId: stranger.id, team: stranger.team }, app.id)).rejects.toThrow(/App/);
  });
});
