import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus } from "../../src/server/bus/create-bus";
import type { Bus } from "../../src/server/bus/channels";
import { assignAllPending } from "../../src/server/jobs/assign-jobs";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { createApps, createPendingJobs, createUser, createWorkers } from "./fixtures/seed-data";

const RUNNER = "tests/jobs/fixtures/assign-runner.ts";

function runAssigner(url: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", RUNNER], { env: { ...process.env, DATABASE_URL: url, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, out, err })),
  );
  return { child, done, output: () => out };
}

async function invariants(t: TestDatabase) {
  const over = await t.db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM workers WHERE used_cpu > cap_cpu + 1e-9 OR used_mem > cap_mem`;
  // Reserved capacity on each worker equals the sum of the jobs assigned to it.
  const mismatched = await t.db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM workers w
    LEFT JOIN (SELECT worker_id, sum(req_cpu) AS cpu, sum(req_mem) AS mem FROM jobs WHERE status = 'assigned' GROUP BY worker_id) j
      ON j.worker_id = w.id
    WHERE abs(w.used_cpu - COALESCE(j.cpu, 0)) > 1e-6 OR w.used_mem <> COALESCE(j.mem, 0)`;
  return { over: over[0]!.n, mismatched: mismatched[0]!.n };
}

let t: TestDatabase;
let listener: Bus;

beforeAll(async () => {
  t = await createTestDatabase();
  listener = createBus({ databaseUrl: t.url });
});
afterAll(async () => {
  await listener.close();
  await t.drop();
});

describe("two jobs processes assigning at once", () => {
  it("assigns 1,000 pending jobs onto 200 workers exactly once, no worker over capacity", { timeout: 180_000 }, async () => {
    const user = await createUser(t.db);
    const apps = await createApps(t.db, user.id, 50);
    // 200 workers × 5 slots = exactly 1,000 slots for 1,000 jobs, plus 10 jobs that cannot fit.
    await createWorkers(t.db, 200, 2.5, 2560);
    await createPendingJobs(t.db, apps, 1_010, 0.5, 512);
    const announced = new Map<number, number>();
    await listener.subscribe("job.assigned", (m) => announced.set(m.jobId, (announced.get(m.jobId) ?? 0) + 1));

    const a = runAssigner(t.url);
    const b = runAssigner(t.url);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.err).toBe(0);
    expect(rb.code, rb.err).toBe(0);
    // A process that found workers locked by the other one asks for another pass; run it.
    await assignAllPending(t.db, listener);

    const counts = await t.db.job.groupBy({ by: ["status"], _count: true });
    const byStatus = Object.fromEntries(counts.map((c) => [c.status, c._count]));
    expect(byStatus).toEqual({ assigned: 1_000, pending: 10 });
    expect(await invariants(t)).toEqual({ over: 0, mismatched: 0 });
    const full = await t.db.worker.count({ where: { usedMem: 2560 } });
    expect(full).toBe(200);
    expect(await t.db.job.count({ where: { status: "pending", pendingReason: null } })).toBe(0);

    // Every assignment was announced once (NOTIFY is delivered after commit). Notifications reach a
    // listener in commit order, so once a marker published now arrives, every announcement of the
    // finished passes has arrived too.
    await listener.publish("job.assigned", { jobId: -1, workerId: -1 });
    await expect.poll(() => announced.has(-1), { timeout: 30_000 }).toBe(true);
    announced.delete(-1);
    expect(announced.size).toBe(1_000);
    expect([...announced.values()].every((n) => n === 1)).toBe(true);
  });

  it("mixed request sizes and pinned jobs from two processes never overrun a worker", { timeout: 180_000 }, async () => {
    await t.db.job.deleteMany();
    await t.db.worker.deleteMany();
    const user = await createUser(t.db);
    const apps = await createApps(t.db, user.id, 20);
    // Workers of three sizes and jobs of four shapes: more demand than room, so the passes race
    // for the last slots and the in-memory placement has to respect each worker's own limits.
    await createWorkers(t.db, 40, 1, 1024);
    await createWorkers(t.db, 40, 2, 3072);
    await createWorkers(t.db, 20, 4, 4096);
    await createPendingJobs(t.db, apps, 200, 0.25, 256);
    await createPendingJobs(t.db, apps, 150, 0.5, 1024);
    await createPendingJobs(t.db, apps, 80, 1, 512);
    await createPendingJobs(t.db, apps, 40, 2, 2048);
    // Every tenth job pinned to a worker of its own (as a restart of a running app is).
    const workerIds = (await t.db.worker.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((w) => w.id);
    await t.db.$executeRaw`
      UPDATE jobs j SET worker_id = (${workerIds}::int[])[1 + (j.id % ${workerIds.length})] WHERE j.id % 10 = 0`;

    const a = runAssigner(t.url);
    const b = runAssigner(t.url);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.err).toBe(0);
    expect(rb.code, rb.err).toBe(0);
    await assignAllPending(t.db, null);

    expect(await invariants(t)).toEqual({ over: 0, mismatched: 0 });
    const assigned = await t.db.job.count({ where: { status: "assigned" } });
    expect(assigned).toBeGreaterThan(0);
    // Whatever still waits says why, and an unpinned job waits only if no worker has room for it.
    expect(await t.db.job.count({ where: { status: "pending", pendingReason: null } })).toBe(0);
    const placeable = await t.db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM jobs j
      WHERE j.status = 'pending' AND j.worker_id IS NULL AND EXISTS (
        SELECT 1 FROM workers w WHERE w.status = 'online'
          AND w.used_cpu + j.req_cpu <= w.cap_cpu + 1e-9 AND w.used_mem + j.req_mem <= w.cap_mem)`;
    expect(placeable[0]!.n).toBe(0);
    // Pinned jobs that were placed went to their own worker.
    const strays = await t.db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM jobs WHERE status = 'assigned' AND id % 10 = 0
        AND worker_id <> (${workerIds}::int[])[1 + (id % ${workerIds.length})]`;
    expect(strays[0]!.n).toBe(0);
  });

  it("a process killed mid-assignment loses and doubles nothing", { timeout: 120_000 }, async () => {
    await t.db.job.deleteMany();
    await t.db.worker.deleteMany();
    const user = await createUser(t.db);
    const apps = await createApps(t.db, user.id, 5);
    await createWorkers(t.db, 20, 2, 2048);
    await createPendingJobs(t.db, apps, 60, 0.5, 512);

    const victim = runAssigner(t.url, { SLOW_MS: "50" });
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (/placed 20\n/.test(victim.output())) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    victim.child.kill("SIGKILL");
    const killed = await victim.done;
    expect(killed.signal).toBe("SIGKILL");

    // Postgres aborts the dead client's transaction once it notices; its locks then go away.
    await expect
      .poll(
        async () =>
          (await t.db.$queryRaw<{ n: number }[]>`
            SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'jobs'::regclass AND pid <> pg_backend_pid()`)[0]!.n,
        { timeout: 15_000 },
      )
      .toBe(0);
    // Its transaction died with it: nothing assigned, nothing reserved.
    expect(await t.db.job.count({ where: { status: "pending" } })).toBe(60);
    expect(await invariants(t)).toEqual({ over: 0, mismatched: 0 });
    expect(await t.db.worker.aggregate({ _sum: { usedMem: true } })).toEqual({ _sum: { usedMem: 0 } });

    const survivor = runAssigner(t.url);
    expect((await survivor.done).code).toBe(0);
    expect(await t.db.job.count({ where: { status: "assigned" } })).toBe(60);
    expect(await invariants(t)).toEqual({ over: 0, mismatched: 0 });
  });
});
