import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../agent/support/runtime-harness";
import { startAppHarness, type AppHarness, type TestUser } from "./helpers/app-harness";

/**
 * A line stored while the bus was away (Redis restarting, a hub killed between its insert and its
 * publish) has no bus message: the live stream finds it in the table after a quiet spell
 * (src/server/apps/live/live-streams.ts), once, and a line that then arrives on the bus too is
 * not shown again.
 */
describe("live runtime logs catch up on lines the bus never carried", () => {
  let h: AppHarness;
  let u: TestUser;
  let appId = 0;

  beforeAll(async () => {
    h = await startAppHarness();
    u = await h.user("pro");
    appId = (await u.caller.apps.create({ name: "catch-up-app", repoUrl: "https://github.com/acme/catch-up.git" })).app.id;
  });
  afterAll(async () => h.close());

  it("shows a stored line without a bus message, then nothing twice", async () => {
    const sub = await u.caller.apps.onRuntimeLogs({ appId });
    const seen: Array<{ id: string; line: string }> = [];
    // tRPC's tracked events: [id, data, symbol].
    const iterator = (sub as AsyncIterable<[string, { line: string }, symbol]>)[Symbol.asyncIterator]();
    const reading = (async () => {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) seen.push({ id: next.value[0], line: next.value[1].line });
    })();
    try {
      const row = await h.tdb.db.runtimeLog.create({ data: { appId, ts: new Date(), stream: "stdout", line: "stored while the bus was away" } });
      await eventually(() => seen.some((l) => l.line === "stored while the bus was away"), 20_000, "the stored line on the live stream");
      // Its bus message turns up late (a publish retried after the outage): not shown again.
      await h.services.bus.publish("app.logs", { appId, lines: [{ id: row.id.toString(), ts: row.ts.getTime(), stream: "stdout", line: row.line }] });
      const after = await h.tdb.db.runtimeLog.create({ data: { appId, ts: new Date(), stream: "stdout", line: "a later line" } });
      await h.services.bus.publish("app.logs", { appId, lines: [{ id: after.id.toString(), ts: after.ts.getTime(), stream: "stdout", line: after.line }] });
      await eventually(() => seen.some((l) => l.line === "a later line"), 20_000, "the later line");
      expect(seen.map((l) => l.line)).toEqual(["stored while the bus was away", "a later line"]);
    } finally {
      // As a page navigating away: the generator ends at its next event (the server's request
      // signal ends it at once; a direct caller has none).
      void iterator.return?.(undefined);
      void reading.catch(() => undefined);
    }
  });
});
