/**
 * Jobs-runner benchmark (`npm run bench:jobs`): assignment of pending jobs onto workers by one
 * and by two jobs processes (separate OS processes, bench/support/assign-process.ts) at 1× (1,000
 * jobs / 200 workers) and 10× (10,000 jobs / 2,000 workers, every slot of capacity used), then the
 * alert and usage ticks for 10,000 and 100,000 running apps (usage: ticks inside one 5-minute bucket,
 * which update each app's sample, and the first tick of a bucket, which inserts them). Each figure is printed with a same-run
 * baseline (the bare SQL floor of the same amount of work) and the ratio to it. After every
 * assignment run it checks that each job was placed once and no worker's capacity was overrun.
 * `BENCH_SCALES=1` runs the 1× sizes only; `BENCH_ONLY=assign` or `BENCH_ONLY=ticks` one half. It
 * prints figures and never fails on a slow machine.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { ensureRulesForRunningApps } from "../src/server/alerts/alert-rules";
import { runAlertTick } from "../src/server/alerts/threshold-poller";
import { createDb } from "../src/server/db/client";
import { migrate } from "../src/server/db/migrator";
import { freePort } from "../src/net/free-port";
import { PostgresServer } from "../src/launcher/postgres-server";
import type { LiveAppStats } from "../src/server/stats/live-app-stats";
import { recordUsageTick } from "../src/server/usage/record-usage-tick";
import { BUCKET_MS, TICK_MS, bucketStart } from "../src/server/usage/usage-buckets";
import { personalTeamId } from "./support/bench-seed";
import { printHeader, printVsBaseline } from "./support/figures";

const RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};
const row = printVsBaseline;

/** A jobs process of its own (bench/support/assign-process.ts), waiting for "go". */
class AssignProcess {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly child: ChildProcess) {
    this.lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  }
  static async start(url: string): Promise<AssignProcess> {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/support/assign-process.ts", url], { stdio: ["pipe", "pipe", "inherit"] });
    const p = new AssignProcess(child);
    const first = await p.lines.next();
    if (first.value !== "ready") throw new Error(`assign process did not start: ${String(first.value)}`);
    return p;
  }
  async run(): Promise<{ ms: number; assigned: number; passes: number }> {
    this.child.stdin!.write("go\n");
    const next = await this.lines.next();
    if (next.done) throw new Error("assign process exited");
    return JSON.parse(next.value) as { ms: number; assigned: number; passes: number };
  }
  stop(): void {
    this.child.stdin!.end();
  }
}

async function resetFleet(db: pg.Pool, workers: number, jobs: number, appIds: number[]) {
  await db.query(`DELETE FROM jobs`);
  await db.query(`DELETE FROM workers`);
  // 2.5 CPU / 2,560 MiB per worker and 0.5 / 512 per job: five jobs fill a worker, so 10,000
  // jobs on 2,000 workers leave no slack and any overrun or double reservation shows.
  await db.query(
    `INSERT INTO workers (name, api_key_hash, cap_cpu, cap_mem, status, last_heartbeat, updated_at)
     SELECT 'w' || g, 'h' || g, 2.5, 2560, 'online', now(), now() FROM generate_series(1, $1::int) g`,
    [workers],
  );
  await db.query(
    `INSERT INTO jobs (type, app_id, req_cpu, req_mem, updated_at)
     SELECT 'deploy', ($1::int[])[1 + (g % array_length($1::int[], 1))], 0.5, 512, now() FROM generate_series(0, $2::int - 1) g`,
    [appIds, jobs],
  );
  await db.query(`ANALYZE workers, jobs`);
}

/** Zero, or a description of what went wrong: jobs not placed once, capacity overrun or leaked. */
async function checkPlacement(db: pg.Pool, jobs: number): Promise<string | null> {
  const { rows } = await db.query<{ assigned: number; pending: number; overrun: number; mismatched: number }>(`
    SELECT (SELECT count(*)::int FROM jobs WHERE status = 'assigned' AND worker_id IS NOT NULL) AS assigned,
           (SELECT count(*)::int FROM jobs WHERE status = 'pending') AS pending,
           (SELECT count(*)::int FROM workers WHERE used_cpu > cap_cpu + 1e-9 OR used_mem > cap_mem) AS overrun,
           (SELECT count(*)::int FROM workers w
              WHERE w.used_mem <> COALESCE((SELECT sum(req_mem) FROM jobs j WHERE j.worker_id = w.id AND j.status = 'assigned'), 0)) AS mismatched`);
  const r = rows[0]!;
  const problems = [
    r.assigned !== jobs && `${r.assigned}/${jobs} assigned (${r.pending} pending)`,
    r.overrun > 0 && `${r.overrun} workers over capacity`,
    r.mismatched > 0 && `${r.mismatched} workers whose reservations differ from their jobs (a double or leaked reservation)`,
  ].filter(Boolean);
  return problems.length ? problems.join("; ") : null;
}

async function assignmentRows(db: pg.Pool, procs: [AssignProcess, AssignProcess], workers: number, jobs: number, appIds: number[]) {
  const single: number[] = [];
  const dual: number[] = [];
  const floor: number[] = [];
  const problems: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    await resetFleet(db, workers, jobs, appIds);
    // The floor: the same rows flipped to assigned in one statement, no placement at all.
    floor.push(await time(() => db.query(`UPDATE jobs SET status = 'assigned', worker_id = (SELECT min(id) FROM workers), assigned_at = now() WHERE status = 'pending'`)));
    await resetFleet(db, workers, jobs, appIds);
    single.push((await procs[0].run()).ms);
    const one = await checkPlacement(db, jobs);
    if (one) problems.push(`1 process: ${one}`);
    await resetFleet(db, workers, jobs, appIds);
    const t0 = performance.now();
    await Promise.all(procs.map((p) => p.run()));
    dual.push(performance.now() - t0);
    const two = await checkPlacement(db, jobs);
    if (two) problems.push(`2 processes: ${two}`);
  }
  const base = median(floor);
  const n = (x: number) => x.toLocaleString("en-US");
  row(`assign ${n(jobs)} jobs / ${n(workers)} workers, 1 process`, median(single), base, `(${n(Math.round(jobs / (median(single) / 1000)))} jobs/s)`);
  row(`assign ${n(jobs)} jobs / ${n(workers)} workers, 2 processes`, median(dual), base, `(${n(Math.round(jobs / (median(dual) / 1000)))} jobs/s)`);
  console.log(`  placement checks over ${RUNS * 2} runs: ${problems.length === 0 ? "every job placed once, no capacity overrun, reservations match jobs" : problems.join(" | ")}`);
}

/** Each tick row starts in a 5-minute bucket no earlier row touched. */
let usageBucketOffset = 0;

async function tickRows(url: string, pool: pg.Pool, appIds: number[]) {
  const db = createDb(url, { max: 8 });
  try {
    const ids = appIds;
    await pool.query(`UPDATE apps SET worker_id = NULL WHERE id = ANY($1::int[])`, [ids]);
    await ensureRulesForRunningApps(db);
    const now = Date.now();
    const snaps = new Map<number, LiveAppStats>(
      ids.map((id, i) => [id, { appId: id, workerId: 1, cpuPct: (i % 100) * 0.5, memBytes: 100 * 2 ** 20, memLimit: 512 * 2 ** 20, netMbps: 1, netTotalBytes: 1_000 * i, diskMbps: 0.5, updatedAt: now }]),
    );
    const stats = { get: (id: number) => snaps.get(id), all: () => [...snaps.values()] };
    const alertTimes: number[] = [];
    const alertFloor: number[] = [];
    const usageFloor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      alertFloor.push(await time(() => db.$queryRaw`SELECT r.* FROM app_alert_rules r JOIN apps a ON a.id = r.app_id WHERE r.enabled AND a.status = 'running'`));
      alertTimes.push(await time(() => runAlertTick({ db, stats, now: new Date(now + i * 30_000) })));
      usageFloor.push(await time(() => db.$queryRaw`SELECT a.id, a.user_id FROM unnest(${ids}::int[]) AS i(id) JOIN apps a ON a.id = i.id AND a.status = 'running'`));
    }
    // Usage ticks one minute apart from the start of a fresh 5-minute bucket: the first tick
    // inserts each app's sample row (and, the very first time, its cursor), the next four update
    // them, the sixth opens the next bucket.
    const bucket0 = bucketStart(new Date(now)).getTime() + (usageBucketOffset += 10) * BUCKET_MS + 10_000;
    const usageTicks: number[] = [];
    for (let i = 0; i < 6; i++) usageTicks.push(await time(() => recordUsageTick(db, stats, new Date(bucket0 + i * TICK_MS))));
    // The write floors: the same rows written bare, no averaging, no cursor, no eligibility join —
    // one UPDATE of each app's sample in the last bucket, one INSERT of a sample per app into a
    // bucket no tick uses (removed again after each run, untimed).
    const lastBucket = new Date(bucket0 + 5 * TICK_MS - 10_000);
    const spare = new Date(bucket0 + 1_000 * BUCKET_MS);
    const updateFloor: number[] = [];
    const insertFloor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      updateFloor.push(
        await time(
          () => db.$executeRaw`UPDATE usage_samples s SET cpu_avg = i.cpu FROM unnest(${ids}::int[], ${ids.map((_, k) => k % 100)}::float8[]) AS i(app_id, cpu)
                               WHERE s.app_id = i.app_id AND s.bucket_start = ${lastBucket}`,
        ),
      );
      insertFloor.push(
        await time(
          () => db.$executeRaw`INSERT INTO usage_samples (app_id, bucket_start, user_id, samples)
                               SELECT a.id, ${spare}, a.user_id, 1 FROM unnest(${ids}::int[]) AS i(id) JOIN apps a ON a.id = i.id`,
        ),
      );
      await db.$executeRaw`DELETE FROM usage_samples WHERE bucket_start = ${spare}`;
    }
    const rules = await db.appAlertRule.count({ where: { enabled: true } });
    const n = ids.length.toLocaleString("en-US");
    row(`alert tick, ${n} apps (${rules.toLocaleString("en-US")} enabled rules)`, median(alertTimes), median(alertFloor));
    row(`usage tick, ${n} apps, same bucket`, median(usageTicks.slice(1, 5)), median(usageFloor), `(bare UPDATE of the same rows ${median(updateFloor).toFixed(0)} ms)`);
    row(
      `usage tick, ${n} apps, first of a bucket`,
      usageTicks[5]!,
      median(usageFloor),
      `(bare INSERT of the same rows ${median(insertFloor).toFixed(0)} ms; first tick ever ${usageTicks[0]!.toFixed(0)} ms)`,
    );
  } finally {
    await db.$disconnect();
  }
}

async function main() {
  const tenX = process.env.BENCH_SCALES !== "1";
  const only = process.env.BENCH_ONLY;
  const dir = mkdtempSync(join(tmpdir(), "wh-bench-jobs-"));
  chmodSync(dir, 0o755); // the embedded Postgres runs as its own user (src/launcher/postgres-server.ts)
  const server = new PostgresServer({ dataDir: dir, port: await freePort() });
  await server.initialise();
  await server.start();
  await server.createDatabase("bench");
  const url = server.url("bench");
  await migrate(url);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  let procs: [AssignProcess, AssignProcess] | undefined;
  try {
    const { rows: users } = await pool.query<{ id: number }>(`INSERT INTO users (email) VALUES ('bench@example.test') RETURNING id`);
    const userId = users[0]!.id;
    const team = await personalTeamId(pool, userId);
    const totalApps = tenX ? 100_000 : 10_000;
    const { rows: apps } = await pool.query<{ id: number }>(
      `INSERT INTO apps (uuid, user_id, name, subdomain, status, updated_at${team === null ? "" : ", team_id"})
       SELECT gen_random_uuid(), $1, 'bench-' || g, 'bench-' || g, 'running', now()${team === null ? "" : `, ${Number(team)}`} FROM generate_series(1, $2::int) g
       RETURNING id`,
      [userId, totalApps],
    );
    const appIds = apps.map((a) => a.id);
    printHeader("jobs runner benchmark", `median of ${RUNS} runs; Postgres, both assign processes and this one share the machine`);
    if (only !== "ticks") {
      procs = [await AssignProcess.start(url), await AssignProcess.start(url)];
      await assignmentRows(pool, procs, 200, 1_000, appIds.slice(0, 100));
      if (tenX) await assignmentRows(pool, procs, 2_000, 10_000, appIds.slice(0, 1_000));
      await pool.query(`DELETE FROM jobs`);
    }
    if (only === "assign") return;
    // The ticks read every running app's rules: only the apps of the row being measured run.
    await pool.query(`UPDATE apps SET status = 'stopped' WHERE id > $1`, [appIds[9_999]]);
    await tickRows(url, pool, appIds.slice(0, 10_000));
    if (tenX) {
      await pool.query(`UPDATE apps SET status = 'running'`);
      await tickRows(url, pool, appIds);
    }
  } finally {
    procs?.forEach((p) => p.stop());
    await pool.end();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
