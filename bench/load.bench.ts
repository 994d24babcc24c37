/**
 * Load while faults happen (`npm run bench:load [-- --duration 120 --sessions 200 --workers 1000 --rate 1]`):
 * the whole platform as production lays it out (bench/support/load-platform.ts: Postgres, Redis,
 * SMTP, one ws-hub, two jobs processes, the built web, each restarted by its "service manager"),
 * `--sessions` signed-in dashboard users sending real tRPC queries and mutations over HTTP
 * (autocannon, bench/support/load-dashboard.ts) and `--workers` simulated workers streaming stats
 * and runtime logs on the real protocol (bench/support/load-fleet-process.ts), for `--duration`
 * seconds, while a jobs process, the hub and the other jobs process are killed with SIGKILL and
 * come back (bench/support/load-faults.ts). Printed: 5xx answers, p50/p95/p99 of the dashboard
 * queries beside a same-run baseline (the same requests from one session with nothing else
 * running), the hub's RSS over time, frames/s, and each recovery time. Options in the
 * environment: `BENCH_STREAM_SECONDS` (each worker's stats + log frame interval, default 2),
 * `BENCH_LINES_PER_FRAME` (default 5), `BENCH_VERBOSE=1`. It prints figures and never fails on them.
 */
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { z } from "zod";
import { QUERY_KINDS, REQUEST_KINDS, runDashboardLoad, type DashboardRun } from "./support/load-dashboard";
import { runFaults } from "./support/load-faults";
import { LoadFleet } from "./support/load-fleet";
import { LoadPlatform } from "./support/load-platform";
import { CpuAccount } from "./support/load-cpu";
import { HubHeapSampler } from "./support/load-hub-heap";
import { fmt, latencyCells, mib, statusCounts, summarise } from "./support/load-report";
import { RssSampler } from "./support/load-rss";
import { seedLoad } from "./support/load-seed";

const optionsSchema = z.object({
  duration: z.coerce.number().int().min(10).max(3_600).default(120),
  sessions: z.coerce.number().int().min(1).max(2_000).default(200),
  workers: z.coerce.number().int().min(1).max(10_000).default(1_000),
  rate: z.coerce.number().int().min(1).max(100).default(1),
  streamSeconds: z.coerce.number().positive().max(60).default(2),
  linesPerFrame: z.coerce.number().int().min(1).max(1_000).default(5),
  faults: z.enum(["0", "1"]).default("1"),
});

const { values } = parseArgs({
  options: { duration: { type: "string" }, sessions: { type: "string" }, workers: { type: "string" }, rate: { type: "string" } },
});
const opts = optionsSchema.parse({ ...values, streamSeconds: process.env.BENCH_STREAM_SECONDS, linesPerFrame: process.env.BENCH_LINES_PER_FRAME, faults: process.env.BENCH_FAULTS });
const note = (line: string) => process.stderr.write(`  ${line}\n`);

async function storedLogLines(databaseUrl: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    // The hub writes log lines in batches: read until two counts a second apart agree.
    let last = -1;
    for (let i = 0; i < 30; i++) {
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM runtime_logs`);
      if (rows[0]!.n === last) return last;
      last = rows[0]!.n;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    return last;
  } finally {
    await pool.end();
  }
}

async function main() {
  process.stderr.write(
    `load while faults happen: ${opts.sessions} dashboard sessions (≤ ${opts.rate} req/s each), ${opts.workers} simulated workers (stats + ${opts.linesPerFrame} log lines every ${opts.streamSeconds} s each), ${opts.duration} s\n`,
  );
  const platform = new LoadPlatform();
  let fleet: LoadFleet | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      await fleet?.stop().catch(() => undefined);
      await platform.stop();
    })());
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  try {
    note("starting the platform (a changed tree rebuilds the dashboard first)");
    await platform.start((line) => process.env.BENCH_VERBOSE === "1" && note(line));
    const seed = await seedLoad({ databaseUrl: platform.databaseUrl, appSecret: platform.appSecret, publicUrl: platform.webUrl }, opts.sessions, opts.workers);
    const target = { webPort: platform.webPort, host: new URL(platform.webUrl).host, origin: new URL(platform.webUrl).origin, sessions: seed.sessions };

    // Warm-up (routes, pools, JIT), then the baseline: the same requests from one session, nothing else running.
    note("warm-up and baseline (one session, no workers)");
    await runDashboardLoad({ ...target, connections: 4, rate: 20, seconds: 5 });
    const baselineSeconds = Math.min(20, Math.max(10, Math.round(opts.duration / 6)));
    const baselineCpu = new CpuAccount((pid, cmdline, environ) => platform.roleOf(pid, cmdline, environ));
    const baseline = await runDashboardLoad({ ...target, connections: 1, rate: 10, seconds: baselineSeconds });
    const baselineCpuUse = baselineCpu.stop();

    note(`connecting ${opts.workers} simulated workers`);
    fleet = LoadFleet.start(platform.dir, {
      hubWs: `${platform.hubUrl.replace("http", "ws")}/v1/workers/ws`,
      appSecret: platform.appSecret,
      workers: seed.workers.map((w) => ({ id: w.id, apiKey: w.apiKey, appId: w.appId })),
      streamEverySeconds: opts.streamSeconds,
      linesPerFrame: opts.linesPerFrame,
      connectSpreadMs: 5_000,
    });
    const connectMs = await fleet.waitConnected(opts.workers, 180_000);
    note(`all connected in ${fmt(connectMs / 1000)} s`);

    const rss = new RssSampler(() => platform.pid("hub"), 1_000);
    const heap = new HubHeapSampler(platform.hubUrl, 5_000);
    const fleetPid = fleet.pid;
    const cpu = new CpuAccount((pid, cmdline, environ) =>
      pid === process.pid ? "bench (autocannon)" : pid === fleetPid ? "simulated workers" : platform.roleOf(pid, cmdline, environ),
    );
    const fleetBefore = fleet.latest;
    const loadStart = performance.now();
    note(`load for ${opts.duration} s${opts.faults === "1" ? "; faults at 25 %, 50 %, 75 %" : ", no faults (BENCH_FAULTS=0)"}`);
    const faults = opts.faults === "1" ? runFaults(platform, fleet, opts.duration * 1000, opts.workers, note) : Promise.resolve([]);
    let load: DashboardRun;
    try {
      load = await runDashboardLoad({ ...target, connections: opts.sessions, rate: opts.rate, seconds: opts.duration });
    } finally {
      // Settled before anything else may throw: the faults' own errors are in their outcomes.
      await faults.catch(() => undefined);
    }
    const loadEnd = performance.now();
    const fleetAfter = fleet.latest;
    const outcomes = await faults;
    const segments = rss.stop();
    const heapPoints = await heap.stop();
    const cpuUse = cpu.stop();
    const fleetFinal = await fleet.stop();
    const stored = await storedLogLines(platform.databaseUrl);

    const loadSeconds = (loadEnd - loadStart) / 1000;
    const framesPerSecond = (fleetAfter.frames - fleetBefore.frames) / loadSeconds;
    const linesPerSecond = (fleetAfter.lines - fleetBefore.lines) / loadSeconds;
    const la = loadavg();
    console.log(
      `\nload while faults happen — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}, load average ${la.map((x) => fmt(x, 1)).join(" ")}`,
    );
    console.log(`${opts.sessions} sessions ≤ ${opts.rate} req/s each, ${opts.workers} workers, ${fmt(loadSeconds, 0)} s loaded, baseline ${baselineSeconds} s from one session with no workers\n`);
    const fiveXx = load.samples.filter((s) => s.status >= 500).length;
    console.log(`5xx answers under load: ${fiveXx} (goal 0); without an answer: ${load.errors} (of which timeouts ${load.timeouts}); answers by status: ${statusCounts(load.samples)}`);
    for (const example of load.fiveXxExamples) console.log(`  5xx: ${example}`);
    console.log(`\n${"dashboard requests".padEnd(34)} ${"under load".padEnd(56)} baseline (same run)`);
    const both = (label: string, kinds: readonly (typeof REQUEST_KINDS)[number][]) =>
      console.log(`${label.padEnd(34)} ${latencyCells(summarise(load.samples, kinds)).padEnd(56)} ${latencyCells(summarise(baseline.samples, kinds))}`);
    both("all queries (goal p95 < 150 ms)", QUERY_KINDS);
    for (const kind of REQUEST_KINDS) both(`  ${kind}${kind === "envVars.set" ? " (mutation)" : ""}`, [kind]);
    console.log(`requests answered per second under load: ${fmt(load.samples.length / loadSeconds)} (offered: at most ${opts.sessions * opts.rate}/s)`);
    const slices: string[] = [];
    for (let from = loadStart; from < loadEnd - 1_000; from += 10_000) slices.push(fmt(summarise(load.samples, QUERY_KINDS, { from, to: from + 10_000 }).p95, 0));
    console.log(`query p95 per 10 s under load (ms): ${slices.join(" ")}`);

    console.log(`\nfaults (kill -9; restarted a second later, as systemd would)`);
    for (const o of outcomes) {
      const window = { from: o.at, to: o.at + (Number.isFinite(o.recoveredMs) ? o.recoveredMs : 0) + 5_000 };
      const during = summarise(load.samples, QUERY_KINDS, window);
      console.log(
        `  ${o.name.padEnd(7)} serving again after ${fmt(o.recoveredMs / 1000)} s${o.workersBackMs !== undefined ? `, all ${opts.workers} workers connected again after ${fmt(o.workersBackMs / 1000)} s` : ""}${o.error ? ` — ${o.error}` : ""}`,
      );
      console.log(`          queries from the kill until 5 s after recovery: p95 ${fmt(during.p95)} ms, p99 ${fmt(during.p99)} ms, 5xx ${during.fiveXx} (n=${during.n})`);
    }
    const crashes = Object.entries(platform.unexpectedExits()).filter(([, n]) => n > 0);
    console.log(`  exits nobody caused: ${crashes.length ? crashes.map(([name, n]) => `${name} ${n}`).join(", ") : "none"}`);

    const ours = Object.values(cpuUse.roles).reduce((a, b) => a + b, 0);
    const share = (seconds: number, over = cpuUse.wallSeconds) => `${fmt(seconds / over, 2)} cores`;
    console.log(`\nCPU while loaded (${cpus().length} cores): machine busy ${share(cpuUse.machineBusy)}; the benchmark's processes ${share(ours)}; other work on the machine ${share(Math.max(0, cpuUse.machineBusy - ours))}`);
    const webMsPerRequest = ((cpuUse.roles.web ?? 0) * 1000) / Math.max(1, load.samples.length);
    const baseWebMs = ((baselineCpuUse.roles.web ?? 0) * 1000) / Math.max(1, baseline.samples.length);
    console.log(
      `  web CPU per answered request ${fmt(webMsPerRequest)} ms (baseline ${fmt(baseWebMs)} ms): ${cpus().length} cores could answer at most ${fmt((cpus().length * 1000) / webMsPerRequest, 0)} req/s with nothing else running; machine busy during the baseline ${share(baselineCpuUse.machineBusy, baselineCpuUse.wallSeconds)}`,
    );
    console.log(`  ${Object.entries(cpuUse.roles).sort(([, a], [, b]) => b - a).map(([role, s]) => `${role} ${share(s)}`).join(", ")}`);

    console.log(`\nhub RSS (sampled every second; a new process after its kill -9)`);
    for (const [i, s] of segments.entries()) {
      const every10 = s.points.filter((_p, j) => j % 10 === 0).map((p) => fmt(p.rssBytes / 2 ** 20, 0));
      console.log(`  run ${i + 1} (${fmt((s.to - s.from) / 1000, 0)} s): first ${mib(s.first)}, peak ${mib(s.peak)}, last ${mib(s.last)}; every 10 s: ${every10.join(" ")} MiB`);
    }

    const every10s = (pick: (p: (typeof heapPoints)[number]) => number) => heapPoints.filter((_p, j) => j % 2 === 0).map((p) => fmt(pick(p) / 2 ** 20, 0));
    console.log(`  V8 heap in use (its /metrics, every 10 s): ${every10s((p) => p.heapUsedBytes).join(" ")} MiB`);
    console.log(`  memory outside the heap (Buffers):         ${every10s((p) => p.externalBytes).join(" ")} MiB`);

    console.log(`\nsimulated workers`);
    console.log(`  frames sent ${fmt(framesPerSecond, 0)}/s (stats, logs, heartbeats), runtime log lines ${fmt(linesPerSecond, 0)}/s, over ${fmt(loadSeconds, 0)} s`);
    console.log(`  frames not sent while the hub was down or a socket backed up: ${fleetFinal.skipped.toLocaleString("en-US")}; reconnections: ${fleetFinal.reconnects.toLocaleString("en-US")}`);
    console.log(`  runtime log lines sent ${fleetFinal.lines.toLocaleString("en-US")}, stored ${stored.toLocaleString("en-US")} (what these simulated workers had in flight when the hub died is not sent again)`);
  } catch (err) {
    process.stderr.write(`${platform.output()}\n`);
    throw err;
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
