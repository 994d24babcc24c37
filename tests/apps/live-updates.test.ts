import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppHarness, type AppHarness, type TestUser } from "./helpers/app-harness";

type Tracked<T> = [string, T, symbol] | { id: string; data: T };
const idOf = <T>(e: Tracked<T>) => (Array.isArray(e) ? e[0] : e.id);
const dataOf = <T>(e: Tracked<T>) => (Array.isArray(e) ? e[1] : e.data);

/**
 * Reads `count` events from a subscription, then closes it (as a page navigating away would).
 * `seen` fills as events arrive, so a test can wait for the replay, which the streams send only
 * after their bus subscription is in place: live messages published after it are not missed.
 */
function take<T>(iterable: AsyncIterable<unknown>, count: number, timeoutMs = 15_000): Promise<Tracked<T>[]> & { seen: Tracked<T>[] } {
  const out: Tracked<T>[] = [];
  const reading = (async () => {
    const it = iterable[Symbol.asyncIterator]();
    const deadline = Date.now() + timeoutMs;
    try {
      while (out.length < count) {
        const next = await Promise.race([
          it.next(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${out.length} events`)), Math.max(1, deadline - Date.now()))),
        ]);
        if (next.done) break;
        out.push(next.value as Tracked<T>);
      }
    } finally {
      void it.return?.(undefined);
    }
    return out;
  })();
  return Object.assign(reading, { seen: out });
}

/** Until the reader has `n` events (the replay): the stream listens on the bus from then on. */
const replayed = (reading: { seen: unknown[] }, n: number) => expect.poll(() => reading.seen.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(n);

/**
 * A stream without a replay gives no sign that it listens yet, and bus delivery is at-most-once:
 * the message is published again every 200 ms until `done` settles (a status change is idempotent).
 */
async function publishUntil(done: Promise<unknown>, publish: () => Promise<void>) {
  let settled = false;
  void done.finally(() => (settled = true)).catch(() => undefined);
  const deadline = Date.now() + 15_000;
  while (!settled && Date.now() < deadline) {
    await publish();
    await Promise.race([done.catch(() => undefined), new Promise((r) => setTimeout(r, 200))]);
  }
}

describe("live updates over the bus", () => {
  let h: AppHarness;
  let u: TestUser;
  let appId: number;

  beforeAll(async () => {
    h = await startAppHarness();
    u = await h.user("pro");
    appId = (await u.caller.apps.create({ name: "live-logs-app", repoUrl: "https://github.com/acme/live.git" })).app.id;
  });
  afterAll(async () => h.close());

  async function persistLines(lines: { stream: "stdout" | "stderr"; line: string }[]) {
    const rows = [];
    for (const l of lines) rows.push(await h.tdb.db.runtimeLog.create({ data: { appId, ts: new Date(), stream: l.stream, line: l.line } }));
    return rows.map((r) => ({ id: r.id.toString(), ts: r.ts.getTime(), stream: r.stream, line: r.line }));
  }

  it("runtime logs: persisted replay, then live lines; a reconnect with lastEventId repeats nothing", async () => {
    const early = await persistLines([{ stream: "stdout", line: "booting" }, { stream: "stderr", line: "warning: cold cache" }]);
    const sub = await u.caller.apps.onRuntimeLogs({ appId });
    const reading = take<{ line: string }>(sub, 4);
    await replayed(reading, 2);
    const live = await persistLines([{ stream: "stdout", line: "listening on 8080" }, { stream: "stdout", line: "GET / 200" }]);
    // The hub publishes after persisting; one message carries a line already replayed (a duplicate) too.
    await h.services.bus.publish("app.logs", { appId, lines: [early[1]!, ...live] });
    const events = await reading;
    expect(events.map((e) => dataOf(e).line)).toEqual(["booting", "warning: cold cache", "listening on 8080", "GET / 200"]);
    expect(events.map(idOf)).toEqual([...early, ...live].map((l) => l.id));

    const more = await persistLines([{ stream: "stdout", line: "after reconnect" }]);
    const resumed = await u.caller.apps.onRuntimeLogs({ appId, lastEventId: live[0]!.id });
    const again = await take<{ line: string }>(resumed, 2);
    expect(again.map((e) => dataOf(e).line)).toEqual(["GET / 200", "after reconnect"]);
    expect(idOf(again[1]!)).toBe(more[0]!.id);
  });

  it("runtime logs: stream and text filters apply to replay, live lines and the list query", async () => {
    const sub = await u.caller.apps.onRuntimeLogs({ appId, filter: { stream: "stderr", search: "WARNING" } });
    const reading = take<{ line: string }>(sub, 2);
    await replayed(reading, 1);
    const live = await persistLines([{ stream: "stdout", line: "warning on stdout" }, { stream: "stderr", line: "another Warning" }]);
    await h.services.bus.publish("app.logs", { appId, lines: live });
    expect((await reading).map((e) => dataOf(e).line)).toEqual(["warning: cold cache", "another Warning"]);
    const listed = await u.caller.apps.runtimeLogs({ appId, filter: { search: "reconnect" } });
    expect(listed.map((l) => l.line)).toEqual(["after reconnect"]);
  });

  it("build log: stored text first, then chunks; resuming at an offset repeats nothing", async () => {
    const d = await u.caller.apps.deploy({ appId });
    await h.tdb.db.deployment.update({ where: { id: d.id }, data: { buildLogs: "Cloning…\n" } });
    const sub = await u.caller.deployments.onBuildLog({ deploymentId: d.id });
    const reading = take<{ offset: number; chunk: string }>(sub, 3);
    await replayed(reading, 1);
    await h.services.bus.publish("deployment.log", { deploymentId: d.id, appId, offset: 0, chunk: "Cloning…\n" });
    await h.services.bus.publish("deployment.log", { deploymentId: d.id, appId, offset: 9, chunk: "npm ci\n" });
    await h.services.bus.publish("deployment.log", { deploymentId: d.id, appId, offset: 16, chunk: "built\n" });
    const events = await reading;
    expect(events.map((e) => dataOf(e).chunk).join("")).toBe("Cloning…\nnpm ci\nbuilt\n");
    expect(events.map(idOf)).toEqual(["9", "16", "22"]);

    await h.tdb.db.deployment.update({ where: { id: d.id }, data: { buildLogs: "Cloning…\nnpm ci\nbuilt\n" } });
    const resumed = await u.caller.deployments.onBuildLog({ deploymentId: d.id, lastEventId: "16" });
    const rest = await take<{ offset: number; chunk: string }>(resumed, 1);
    expect(dataOf(rest[0]!)).toEqual({ offset: 16, chunk: "built\n" });
  });

  it("deploy progress: the current job first, then each change; app status changes reach the owner only", async () => {
    const job = await h.tdb.db.job.findFirstOrThrow({ where: { appId }, orderBy: { id: "desc" } });
    const progress = await u.caller.apps.onDeployProgress({ appId });
    const reading = take<{ status: string; progress: number }>(progress, 3);
    const status = await u.caller.apps.onStatus();
    const statusReading = take<{ appId: number; status: string }>(status, 1);
    const stranger = await h.user("pro");
    const strangerStatus = await stranger.caller.apps.onStatus();
    // A stranger's stream must stay silent for as long as the owner's status is being announced.
    const strangerReading = take(strangerStatus, 1, 3_000);
    // The current job is the replay of the progress stream.
    await replayed(reading, 1);
    const base = { jobId: job.id, appId, deploymentId: job.deploymentId, message: "" };
    await h.services.bus.publish("job.updated", { ...base, status: "processing", progress: 40, message: "building" });
    await h.services.bus.publish("job.updated", { ...base, status: "processing", progress: 40, message: "building" });
    await h.services.bus.publish("job.updated", { ...base, status: "completed", progress: 100 });
    await publishUntil(statusReading, () => h.services.bus.publish("app.changed", { appId, userId: u.id, status: "running" }));
    const events = await reading;
    expect(events.map((e) => [dataOf(e).status, dataOf(e).progress])).toEqual([["pending", 0], ["processing", 40], ["completed", 100]]);
    expect(dataOf((await statusReading)[0]!)).toMatchObject({ appId, status: "running" });
    await expect(strangerReading).rejects.toThrow(/timed out after 0 events/);
  });

  it("deploy progress: a job's progress published after its cancel (another process, later on the bus) is not shown", async () => {
    const job = await h.tdb.db.job.findFirstOrThrow({ where: { appId }, orderBy: { id: "desc" } });
    const progress = await u.caller.apps.onDeployProgress({ appId });
    const reading = take<{ jobId: number; status: string; progress: number }>(progress, 4);
    await replayed(reading, 1);
    const base = { jobId: job.id, appId, deploymentId: job.deploymentId, message: "" };
    await h.services.bus.publish("job.updated", { ...base, status: "processing", progress: 30, message: "building" });
    await h.services.bus.publish("job.updated", { ...base, status: "cancelled", progress: 30, message: "Deployment cancelled from the dashboard" });
    // The hub stored this report before the cancel committed, and published it after.
    await h.services.bus.publish("job.updated", { ...base, status: "processing", progress: 40, message: "building" });
    // Another job of the app still shows: only the ended one is closed.
    await h.services.bus.publish("job.updated", { ...base, jobId: job.id + 1_000, status: "pending", progress: 0 });
    const events = await reading;
    expect(events.map((e) => [dataOf(e).jobId - job.id, dataOf(e).status, dataOf(e).progress]).slice(1)).toEqual([
      [0, "processing", 30],
      [0, "cancelled", 30],
      [1_000, "pending", 0],
    ]);
  });

  it("apps.list and apps.get show live usage from the hubs' stats snapshots, and drop stale ones", async () => {
    expect((await u.caller.apps.list())[0]!.live).toBeNull();
    const stat = { appId, workerId: 1, cpuPct: 12.5, memBytes: 64 * 1048576, memLimit: 512 * 1048576, netMbps: 0.4, netTotalBytes: 1000, diskMbps: 0 };
    // The first list call starts the web side's subscription without waiting for it; hubs send a
    // snapshot every few seconds, so one published before it listens is simply followed by another.
    await expect
      .poll(
        async () => {
          await h.services.bus.publish("stats.snapshot", { at: Date.now(), apps: [{ ...stat, updatedAt: Date.now() }] });
          return (await u.caller.apps.list())[0]!.live;
        },
        { timeout: 15_000, interval: 200 },
      )
      .not.toBeNull();
    expect((await u.caller.apps.list())[0]!.live).toMatchObject({ cpuPct: 12.5, memBytes: 64 * 1048576 });
    expect((await u.caller.apps.get({ appId })).live).toMatchObject({ cpuPct: 12.5 });
    await h.services.bus.publish("stats.snapshot", { at: Date.now(), apps: [{ ...stat, updatedAt: Date.now() - 120_000 }] });
    // Until the stale snapshot has been received; the fresh one before it stays live for a minute.
    await expect.poll(async () => (await u.caller.apps.get({ appId })).live, { timeout: 15_000 }).toBeNull();
  });
});
