import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../agent/support/runtime-harness";
import { startAppHarness, type AppHarness } from "../apps/helpers/app-harness";
import { mintToken } from "../api/helpers/api-client";
import { teamWithEveryRole, type TeamFixture } from "../teams/helpers/team-fixture";
import { startApiServer } from "./support/api-server";
import { runCli, startCli, type RunningCli } from "./support/run-cli";

/**
 * `wh logs -f` against the real /api/v1 on a real port (tests/cli/support/api-server.ts): a cut
 * connection is reopened with Last-Event-ID and no line is printed twice or lost, and a 429 is
 * waited out (Retry-After) with a notice, or reported with what to do when it does not pass.
 */
describe("wh logs -f through drops and rate limits", () => {
  let h: AppHarness;
  let fx: TeamFixture;
  let server: Awaited<ReturnType<typeof startApiServer>>;
  let dir: string;
  const running: RunningCli[] = [];

  beforeAll(async () => {
    h = await startAppHarness();
    fx = await teamWithEveryRole(h);
    server = await startApiServer(h.services);
    dir = mkdtempSync(join(tmpdir(), "wh-cli-follow-"));
  });
  afterEach(() => {
    for (const r of running.splice(0)) r.kill();
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function appWithToken(suffix: string) {
    const { app } = await fx.members.owner.caller.apps.create({ name: `follow-${suffix}-${Date.now() % 100000}`, repoUrl: "https://github.com/team/follow.git" });
    const token = await mintToken(fx.members.developer, fx.teamId, ["logs:read"], null, `follow-${suffix}`);
    const env = { WH_URL: server.url, WH_TOKEN: token, WH_CONFIG: join(dir, `${suffix}.json`) };
    /** A line as the hub writes it: stored, then published on the bus (only the store when nobody listens). */
    const write = async (text: string, publish = true) => {
      const row = await h.tdb.db.runtimeLog.create({ data: { appId: app.id, ts: new Date(), stream: "stdout", line: text } });
      if (publish) await h.services.bus.publish("app.logs", { appId: app.id, lines: [{ id: row.id.toString(), ts: row.ts.getTime(), stream: "stdout", line: text }] });
      return row.id.toString();
    };
    return { app, env, write };
  }

  const count = (text: string, needle: string) => text.split("\n").filter((l) => l.endsWith(needle)).length;

  it("reconnects after a dropped connection, resumes after the last line shown, and waits out a 429", { timeout: 120_000 }, async () => {
    const { app, env, write } = await appWithToken("drop");
    await write("tail one", false);
    await write("tail two", false);
    const follow = startCli(["logs", app.name, "-f"], { env });
    running.push(follow);
    // The tail is sent after the stream subscribed to the bus (src/server/apps/live/live-streams.ts).
    await eventually(() => follow.output().stdout.includes("tail two"), 60_000, `the tail (got ${JSON.stringify(follow.output())})`);
    const lastBefore = await write("live one");
    await eventually(() => follow.output().stdout.includes("live one"), 15_000, "the first live line");

    const before = server.seen.length;
    server.throttle(1);
    server.dropStreams();
    // Written while the CLI is away: only the table has it, the reconnect's replay brings it.
    await write("while away", false);
    await eventually(() => follow.output().stdout.includes("while away"), 30_000, `the line written while away (got ${JSON.stringify(follow.output())})`);
    await write("after the drop");
    await eventually(() => follow.output().stdout.includes("after the drop"), 15_000, "a live line after the reconnect");

    const reconnects = server.seen.slice(before);
    expect(reconnects.map((r) => r.status)).toEqual([429, 200]);
    expect(reconnects.every((r) => r.lastEventId === lastBefore)).toBe(true);
    const stopped = await follow.interrupt();
    expect(stopped.code).toBe(0);
    for (const line of ["tail one", "tail two", "live one", "while away", "after the drop"]) expect(count(stopped.stdout, line), line).toBe(1);
    expect(stopped.stderr).toContain("The server is rate limiting this token; reconnecting in 1 s.");
  });

  it("a token that stays rate limited ends the follow with exit 1 and when to try again", { timeout: 60_000 }, async () => {
    const { app, env } = await appWithToken("limited");
    server.throttle(5);
    const run = await runCli(["logs", app.name, "-f"], { env, timeoutMs: 45_000 });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Too many .*Try again in 1 second\.\n$/);
    expect(run.stderr.match(/reconnecting in 1 s/g)).toHaveLength(4);
  });
});
