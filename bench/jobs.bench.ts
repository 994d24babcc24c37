/**
 * Jobs-runner benchmark (`npm run bench:jobs`): assignment throughput for 1,000 pending jobs onto
 * 200 workers (one process, then two concurrent ones), and the alert and usage tick times for
 * 10,000 running apps. Each figure is printed with a same-run baseline (the bare SQL floor of the
 * same amount of work) and the ratio to it, so machines of different speed compare.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureRulesForRunningApps } from "../src/server/alerts/alert-rules";
import { runAlertTick } from "../src/server/alerts/threshold-poller";
import { createDb, type Db } from "../src/server/db/client";
import { migrate } from "../src/server/db/migrator";
import { freePort } from "../src/net/free-port";
import { PostgresServer } from "../src/launcher/postgres-server";
import { assignAllPending } from "../src/server/jobs/assign-jobs";
import type { LiveAppStats } from "../src/server/stats/live-app-stats";
import { recordUsageTick } from "../src/server/usage/record-usage-tick";

const RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};
const row = (label: string, ms: number, baselineMs: number, extra = "") =>
  console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms   baseline ${baselineMs.toFixed(1).padStart(8)} ms   ratio ${(ms / baselineMs).toFixed(1).padStart(6)}x ${extra}`);

async function resetFleet(db: Db, appIds: number[]) {
  await db.$executeRaw`DELETE FROM jobs`;
  await db.$executeRaw`DELETE FROM workers`;
  await db.$executeRaw`
    INSERT INTO workers (name, api_key_hash, cap_cpu, cap_mem, status, last_heartbeat, updated_at)
    SELECT 'w' || g, 'h' || g, 2.5, 2560, 'online', now(), now() FROM generate_series(1, 200) g`;
  await db.$executeRaw`
    INSERT INTO jobs (type, app_id, req_cpu, req_mem, updated_at)
    SELECT 'deploy', (${appIds}::int[])[1 + (g % ${appIds.length})], 0.5, 512, now() FROM generate_series(0, 999) g`;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "wh-bench-jobs-"));
  const pg = new PostgresServer({ dataDir: dir, port: await freePort() });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase("bench");
  const url = pg.url("bench");
  await migrate(url);
  const db = createDb(url, { max: 8 });
  const db2 = createDb(url, { max: 8 });
  try {
    const user = await db.user.create({ data: { email: "bench@example.test" } });
    const apps = await db.$queryRaw<{ id: number }[]>`
      INSERT INTO apps (uuid, user_id, name, subdomain, status, updated_at)
      SELECT gen_random_uuid(), ${user.id}, 'bench-' || g, 'bench-' || g, 'running', now() FROM generate_series(1, 10000) g
      RETURNING id`;
    const appIds = apps.map((a) => a.id);
    console.log(`jobs runner benchmark (median of ${RUNS} runs; node ${process.version})\n`);

    // Assignment: 1,000 jobs onto 200 workers.
    const single: number[] = [];
    const dual: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await resetFleet(db, appIds.slice(0, 100));
      floor.push(await time(() => db.$executeRaw`UPDATE jobs SET status = 'assigned', worker_id = (SELECT min(id) FROM workers), assigned_at = now() WHERE status = 'pending'`));
      await resetFleet(db, appIds.slice(0, 100));
      single.push(await time(() => assignAllPending(db, null)));
      const assigned = await db.job.count({ where: { status: "assigned" } });
      if (assigned !== 1000) throw new Error(`expected 1000 assigned, got ${assigned}`);
      await resetFleet(db, appIds.slice(0, 100));
      dual.push(
        await time(async () => {
          await Promise.all([assignAllPending(db, null), assignAllPending(db2, null)]);
          await assignAllPending(db, null);
        }),
      );
      const again = await db.job.count({ where: { status: "assigned" } });
      if (again !== 1000) throw new Error(`expected 1000 assigned with two processes, got ${again}`);
    }
    const base = median(floor);
    row("assign 1,000 jobs / 200 workers, 1 process", median(single), base, `(${Math.round(1000 / (median(single) / 1000))} jobs/s)`);
    row("assign 1,000 jobs / 200 workers, 2 processes", median(dual), base, `(${Math.round(1000 / (median(dual) / 1000))} jobs/s)`);

    // Alert and usage ticks for 10,000 running apps with live stats.
    await db.$executeRaw`UPDATE apps SET worker_id = NULL`;
    await ensureRulesForRunningApps(db);
    const now = Date.now();
    const snaps = new Map<number, LiveAppStats>(
      appIds.map((id, i) => [id, { appId: id, workerId: 1, cpuPct: (i % 100) * 0.5, memBytes: 100 * 2 ** 20, memLimit: 512 * 2 ** 20, netMbps: 1, netTotalBytes: 1_000 * i, diskMbps: 0.5, updatedAt: now }]),
    );
    const stats = { get: (id: number) => snaps.get(id), all: () => [...snaps.values()] };
    const alertTimes: number[] = [];
    const alertFloor: number[] = [];
    const usageTimes: number[] = [];
    const usageFloor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      alertFloor.push(await time(() => db.$queryRaw`SELECT r.* FROM app_alert_rules r JOIN apps a ON a.id = r.app_id WHERE r.enabled AND a.status = 'running'`));
      alertTimes.push(await time(() => runAlertTick({ db, stats, now: new Date(now + i * 30_000) })));
      usageFloor.push(await time(() => db.$queryRaw`SELECT a.id, a.user_id FROM unnest(${appIds}::int[]) AS i(id) JOIN apps a ON a.id = i.id AND a.status = 'running'`));
      usageTimes.push(await time(() => recordUsageTick(db, stats, new Date(now + i * 60_000))));
    }
    const rules = await db.appAlertRule.count({ where: { enabled: true } });
    row(`alert tick, 10,000 apps (${rules} enabled rules)`, median(alertTimes), median(alertFloor));
    row("usage tick, 10,000 apps", median(usageTimes), median(usageFloor));
  } finally {
    await db.$disconnect();
    await db2.$disconnect();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
