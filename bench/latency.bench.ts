/**
 * Click → frame benchmark (`npm run bench:latency`): the real web (tRPC over HTTP), jobs and ws-hub
 * processes (started by src/launcher/platform.ts, without the reference agent) and simulated
 * workers speaking the real protocol (bench/support/bench-worker.ts). A "click" is the
 * `apps.deploy` mutation as the dashboard sends it; the figure is the time from sending it to the
 * worker receiving the signed `job` frame. Printed for deploys one after another and all at once,
 * beside the bus round trip alone (publish → own subscriber, the same bus the processes use).
 * Options: `BENCH_DEPLOYS` (default 200), `BENCH_VERBOSE=1` (the processes' output). It prints
 * figures and never fails.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startPlatform } from "../src/launcher/platform";
import { freePort } from "../src/net/free-port";
import { hashApiKey } from "../src/protocol/api-key";
import { createBus } from "../src/server/bus/create-bus";
import { createDb } from "../src/server/db/client";
import { createSession } from "../src/server/sessions/create-session";
import { sessionSetCookie } from "../src/server/sessions/session-cookie";
import { WorkerJwtSigner } from "../src/server/workers/worker-jwt";
import { BenchWorker } from "./support/bench-worker";
import { seedWorkersAndApps } from "./support/bench-seed";
import { platformPids } from "./support/platform-pids";
import { procUsage } from "./support/proc-usage";
import { fmt, printDistribution, printHeader } from "./support/figures";

const DEPLOYS = Math.max(1, Number(process.env.BENCH_DEPLOYS ?? 200));
const verbose = process.env.BENCH_VERBOSE === "1";
const line = (label: string, xs: number[], extra = "") => printDistribution(label, xs, { ps: [50, 99], max: true, extra, width: 46 });

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), "wh-bench-latency-"));
  chmodSync(dataDir, 0o755); // the embedded Postgres runs as its own user (src/launcher/postgres-server.ts)
  const [webPort, hubPort, pgPort] = [await freePort(), await freePort(), await freePort()];
  process.stderr.write(`click → frame benchmark: ${DEPLOYS} deploys in a row, then ${DEPLOYS} at once (starting the platform; the first run builds the dashboard)\n`);
  const platform = await startPlatform({
    root: process.cwd(),
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      WEB_PORT: String(webPort),
      HUB_PORT: String(hubPort),
      EMBEDDED_PG_PORT: String(pgPort),
      NEXT_DIST_DIR: process.env.NEXT_DIST_DIR ?? ".next-bench",
      LOG_LEVEL: verbose ? "info" : "warn",
      WH_ENV: "development",
    },
    agent: false,
    write: (name, l) => verbose && process.stderr.write(`[${name}] ${l}\n`),
    onUnexpectedExit: (name, code) => process.stderr.write(`${name} exited unexpectedly (${code})\n`),
  });
  const workers: BenchWorker[] = [];
  const pool = new pg.Pool({ connectionString: platform.databaseUrl, max: 4 });
  const db = createDb(platform.databaseUrl, { max: 2 });
  const bus = createBus({ databaseUrl: platform.databaseUrl });
  let beat: NodeJS.Timeout | undefined;
  try {
    const appSecret = platform.env.APP_SECRET!;
    const { rows: users } = await pool.query<{ id: number }>(
      `INSERT INTO users (email, email_verified_at, updated_at) VALUES ('bench@example.test', now(), now()) RETURNING id`,
    );
    const userId = users[0]!.id;
    // One simulated worker per app; the scheduler places each deploy on whichever worker it picks.
    const seeded = await seedWorkersAndApps(pool, 2 * DEPLOYS, userId);
    await pool.query(`UPDATE apps SET repo_url = $1, status = 'stopped', worker_id = NULL, updated_at = now()`, [platform.sampleRepoUrl ?? "https://example.test/bench.git"]);
    await pool.query(`UPDATE workers SET last_heartbeat = now()`);
    const session = await createSession(db, { userId, twoFactor: false, client: { ip: "127.0.0.1", userAgent: "bench-latency" } });
    const cookie = (await sessionSetCookie({ PUBLIC_URL: platform.env.PUBLIC_URL!, APP_SECRET: appSecret }, session.token)).split(";")[0]!;

    const signer = new WorkerJwtSigner(appSecret);
    const hubWs = `${platform.hubUrl.replace("http", "ws")}/v1/workers/ws`;
    const frameAt = new Map<number, number>();
    for (let i = 0; i < seeded.length; i += 100) {
      const batch = seeded.slice(i, i + 100);
      const connected = await Promise.all(
        batch.map(async (w) => BenchWorker.connect(hubWs, (await signer.sign(w.id, hashApiKey(w.apiKey))).token, w.key)),
      );
      workers.push(...connected);
    }
    for (const w of workers) w.onJob = (jobId, at) => frameAt.set(jobId, at);
    const pids = platformPids(dataDir, { web: "src/web/server.ts", jobs: "src/jobs-process/main.ts", hub: "src/ws-hub/main.ts" });
    const cpu = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid ? procUsage(pid).cpuSeconds : NaN]));
    /** Prints each process's CPU per deploy; returns the web's (ms). */
    const cpuLine = (label: string, before: Record<string, number>, n: number) => {
      const after = cpu();
      const per = (k: string) => ((after[k]! - before[k]!) * 1000) / n;
      console.log(`${label.padEnd(46)} ${Object.keys(before).map((k) => `${k} ${fmt(per(k))} ms`).join(", ")} of CPU per deploy`);
      return per("web");
    };
    // Simulated workers stay online for the scheduler (src/server/workers/worker-health.ts).
    const heartbeat = () => {
      for (const w of workers) w.send("heartbeat", { status: "online", cpu_used: 0, mem_used: 0, running_apps: 0 });
    };
    heartbeat();
    beat = setInterval(heartbeat, 10_000);
    await Promise.all(workers.map((w) => w.drained()));

    const deploy = async (appId: number) => {
      const res = await fetch(`${platform.webUrl}/api/trpc/apps.deploy`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie, origin: platform.env.PUBLIC_URL! },
        body: JSON.stringify({ json: { appId } }),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`apps.deploy answered ${res.status}: ${text.slice(0, 300)}`);
    };
    const clickAt = new Map<number, number>();
    const click = async (appId: number) => {
      clickAt.set(appId, performance.now());
      await deploy(appId);
    };
    const waitFrames = async (n: number) => {
      const deadline = performance.now() + 60_000;
      while (frameAt.size < n && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    // performance.now() → epoch ms, to place the database's timestamps on the same clock.
    const epoch = (t: number) => performance.timeOrigin + t;
    const latencies = async (appIds: number[]) => {
      const { rows } = await pool.query<{ id: number; app_id: number; created: string; assigned: string }>(
        `SELECT id, app_id, extract(epoch FROM created_at) * 1000 AS created, extract(epoch FROM assigned_at) * 1000 AS assigned FROM jobs WHERE app_id = ANY($1::int[])`,
        [appIds],
      );
      const out: number[] = [];
      // Where the time goes: click → the web's transaction starts (the job's created_at is its
      // transaction's start), → an assignment pass starts (assigned_at is the pass's start), → frame.
      const stages = { web: [] as number[], toPass: [] as number[], passToFrame: [] as number[] };
      for (const r of rows) {
        const at = frameAt.get(r.id);
        const t0 = clickAt.get(r.app_id);
        if (at === undefined || t0 === undefined) continue;
        out.push(at - t0);
        stages.web.push(Number(r.created) - epoch(t0));
        stages.toPass.push(Number(r.assigned) - Number(r.created));
        stages.passToFrame.push(epoch(at) - Number(r.assigned));
      }
      return Object.assign(out, { stages });
    };
    const stageLines = (lat: Awaited<ReturnType<typeof latencies>>) => {
      line("  click → web transaction starts", lat.stages.web);
      line("  → assignment pass starts (commit, bus)", lat.stages.toPass);
      line("  → frame at the worker (pass, hub push)", lat.stages.passToFrame);
    };
    const responseTimes: number[] = [];

    // Warm-up: the first requests compile routes and fill connection pools.
    const apps = seeded.map((w) => w.appId);
    const warm = apps.splice(0, 5);
    for (const appId of warm) await click(appId);
    await waitFrames(warm.length);

    // Bus round trip alone: publish → own subscriber over the same bus (a harmless message).
    const roundTrips: number[] = [];
    let heard: (() => void) | null = null;
    const unsubscribe = await bus.subscribe("worker.revoked", (m) => m.workerId === 0 && heard?.());
    for (let i = 0; i < DEPLOYS; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        heard = resolve;
        void bus.publish("worker.revoked", { workerId: 0 });
      });
      roundTrips.push(performance.now() - t0);
    }
    unsubscribe();

    const sequential = apps.slice(0, DEPLOYS);
    const seqCpu = cpu();
    for (const appId of sequential) {
      const t0 = performance.now();
      await click(appId);
      responseTimes.push(performance.now() - t0);
      await waitFrames(warm.length + responseTimes.length);
    }
    const seqLat = await latencies(sequential);

    printHeader("click → frame", `Postgres bus, ${workers.length} simulated workers`);
    line("bus round trip alone (baseline)", roundTrips);
    line(`apps.deploy answered (in a row)`, responseTimes);
    line(`click → frame, ${DEPLOYS} deploys in a row`, seqLat, seqLat.length < sequential.length ? `, ${sequential.length - seqLat.length} never arrived` : "");
    stageLines(seqLat);
    cpuLine("  process CPU (in a row)", seqCpu, sequential.length);

    const concurrent = apps.slice(DEPLOYS, 2 * DEPLOYS);
    const failures: string[] = [];
    const concCpu = cpu();
    const concStart = performance.now();
    await Promise.all(concurrent.map((appId) => click(appId).catch((err: Error) => void failures.push(err.message))));
    const allAnswered = performance.now() - concStart;
    await waitFrames(warm.length + sequential.length + concurrent.length - failures.length);
    const concLat = await latencies(concurrent);
    const missing = concurrent.length - failures.length - concLat.length;
    line(
      `click → frame, ${DEPLOYS} deploys at once`,
      concLat,
      `, all answered in ${fmt(allAnswered, 0)} ms${failures.length ? `, ${failures.length} refused (first: ${failures[0]!.slice(0, 160)})` : ""}${missing > 0 ? `, ${missing} never arrived` : ""}`,
    );
    stageLines(concLat);
    const webCpu = cpuLine("  process CPU (at once)", concCpu, concurrent.length);
    // One Node event loop serves every request of the web process: the burst cannot be answered
    // faster than its CPU allows, whatever the database does.
    const answered = concurrent.length - failures.length;
    console.log(
      `${"  CPU bound of the burst (web, one event loop)".padEnd(46)} ${fmt(answered, 0)} × ${fmt(webCpu)} ms = ${fmt(answered * webCpu, 0)} ms, beside all answered in ${fmt(allAnswered, 0)} ms`,
    );
    const bad = workers.reduce((n, w) => n + w.badFrames, 0);
    console.log(`hub frames failing verification at the worker: ${bad}`);
  } finally {
    if (beat) clearInterval(beat);
    for (const w of workers) w.close();
    await bus.close().catch(() => undefined);
    await db.$disconnect().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
