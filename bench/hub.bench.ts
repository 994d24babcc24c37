/**
 * ws-hub benchmark: `npm run bench:hub [-- --workers 1000]` (up to 10,000).
 * N simulated workers speak the real protocol against a real hub process and a real Postgres.
 * Every figure is printed beside a baseline measured in the same run on the same machine:
 * a bare `ws` echo server for frame throughput, a bare node:http handler for the Traefik endpoint.
 * It prints figures; it never passes or fails.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import pg from "pg";
import { freePort } from "../src/net/free-port";
import { PostgresServer } from "../src/launcher/postgres-server";
import { createBus } from "../src/server/bus/create-bus";
import { migrate } from "../src/server/db/migrator";
import { cipherContext, SecretCipher } from "../src/server/crypto/secret-cipher";
import { hashApiKey } from "../src/protocol/api-key";
import { WorkerJwtSigner } from "../src/server/workers/worker-jwt";
import { encodeFrame } from "../src/protocol/frame-codec";
import { BenchWorker } from "./support/bench-worker";
import { seedWorkersAndApps, topUpRunningApps, type SeededBenchWorker } from "./support/bench-seed";
import { copyLinesPerSecond, type BaselineLine } from "./support/copy-baseline";
import { closedLoad, fixedRateLoad, rawGet, type RawAnswer } from "./support/http-load";
import { percentile, procUsage } from "./support/proc-usage";

const arg = process.argv.indexOf("--workers");
const N = Math.min(10_000, Math.max(1, Number(arg > 0 ? process.argv[arg + 1] : (process.env.BENCH_WORKERS ?? 1000))));
const FRAMES_PER_WORKER = Number(process.env.BENCH_FRAMES ?? 20);
const JOBS = Math.min(N, 300);
/** Log ingest phase: this many workers each send LOG_FRAMES frames of LOG_LINES lines (an agent under a log flood ships up to 5,000 per frame). */
const LOG_WORKERS = Math.min(N, 200);
const LOG_FRAMES = Number(process.env.BENCH_LOG_FRAMES ?? 10);
const LOG_LINES = Number(process.env.BENCH_LOG_LINES ?? 250);
const SECRETS = {
  APP_SECRET: "bench-app-secret-0123456789abcdef-0123456789",
  WORKER_REGISTRATION_TOKEN: "bench-registration-token-0123456789",
  TRAEFIK_PROXY_TOKEN: "bench-traefik-proxy-token-0123456789",
};

const rows: [string, string, string, string][] = [];
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
function row(metric: string, hub: string, baseline = "—", ratio = "—") {
  rows.push([metric, hub, baseline, ratio]);
  process.stderr.write(`  ${metric}: ${hub}${baseline !== "—" ? ` (baseline ${baseline}, ${ratio})` : ""}\n`);
}

function startChild(args: string[], env: Record<string, string>, readyLine?: string, nodeArgs: string[] = []): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    child.once("exit", (code) => reject(new Error(`${args[0]} exited ${code}`)));
    if (!readyLine) return resolve(child);
    child.stdout!.on("data", (d: Buffer) => d.toString().includes(readyLine) && resolve(child));
  });
}

async function waitHealthy(url: string) {
  for (let i = 0; i < 300; i++) {
    if ((await fetch(url).then((r) => r.status).catch(() => 0)) === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became healthy`);
}

async function waitFor(check: () => Promise<boolean>, ms = 60_000) {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const gunzipIfNeeded = (res: RawAnswer) => (res.body && res.body[0] === 0x1f && res.body[1] === 0x8b ? gunzipSync(res.body) : (res.body ?? Buffer.alloc(0))).toString();

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function main() {
  process.stderr.write(`ws-hub benchmark: ${N} workers, ${FRAMES_PER_WORKER} frames per worker per type\n`);
  const dataDir = mkdtempSync(join(tmpdir(), "wh-bench-pg-"));
  const postgres = new PostgresServer({ dataDir, port: await freePort() });
  const children: ChildProcess[] = [];
  const workers: BenchWorker[] = [];
  try {
    await postgres.initialise();
    await postgres.start();
    await postgres.createDatabase("bench");
    const databaseUrl = postgres.url("bench");
    await migrate(databaseUrl);
    const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    const { rows: users } = await db.query<{ id: number }>(`INSERT INTO users (email) VALUES ('bench@example.test') RETURNING id`);
    const userId = users[0]!.id;
    const seeded = await seedWorkersAndApps(db, N, userId);

    const hubPort = await freePort();
    const hub = await startChild(["src/ws-hub/main.ts"], { ...SECRETS, NODE_ENV: "production", DATABASE_URL: databaseUrl, HUB_PORT: String(hubPort), LOG_LEVEL: "error", PLATFORM_DOMAIN: "apps.bench.test" }, undefined, (process.env.BENCH_HUB_NODE_ARGS ?? "").split(" ").filter(Boolean));
    children.push(hub);
    const hubUrl = `http://127.0.0.1:${hubPort}`;
    await waitHealthy(`${hubUrl}/health`);
    const idle = procUsage(hub.pid!);
    row("hub RSS idle", `${fmt(idle.rssBytes / 2 ** 20)} MiB`);
    let usage = procUsage(hub.pid!);

    // 1. Baseline first (its sockets are closed before the hub phase, so 10,000 + 10,000 fds are never open at once).
    const echoPort = await freePort();
    const echo = await startChild(["bench/support/ws-echo-server.ts", String(echoPort)], {}, "ready");
    children.push(echo);
    // The echo clients sign each frame exactly as the simulated workers do, so client cost is equal.
    let echoSeq = 0;
    const sample = () => encodeFrame(seeded[0]!.key, { type: "heartbeat", seq: ++echoSeq, payload: { status: "online", cpu_used: 1.5, mem_used: 2048, running_apps: 3 } });
    const echoClients = await Promise.all(
      Array.from({ length: N }, () => new Promise<import("ws").WebSocket>((resolve, reject) => {
        void import("ws").then(({ WebSocket }) => {
          const ws = new WebSocket(`ws://127.0.0.1:${echoPort}`, { perMessageDeflate: false });
          ws.once("open", () => resolve(ws));
          ws.once("error", reject);
        });
      })),
    );
    const echoStart = performance.now();
    await Promise.all(
      echoClients.map(
        (ws) =>
          new Promise<void>((resolve) => {
            let got = 0;
            ws.on("message", () => ++got === FRAMES_PER_WORKER && resolve());
            for (let i = 0; i < FRAMES_PER_WORKER; i++) ws.send(sample());
          }),
      ),
    );
    const echoRate = (N * FRAMES_PER_WORKER) / ((performance.now() - echoStart) / 1000);
    for (const ws of echoClients) ws.terminate();
    echo.kill("SIGTERM");

    // 2. Connect + authenticate (JWT path, as agents do), 200 at a time.
    const signer = new WorkerJwtSigner(SECRETS.APP_SECRET);
    const tokens = await Promise.all(seeded.map((w) => signer.sign(w.id, hashApiKey(w.apiKey)).then((t) => t.token)));
    const connectTimes: number[] = [];
    usage = procUsage(hub.pid!);
    const t0 = performance.now();
    await inBatches(
      seeded.map((w, i) => ({ w, token: tokens[i]! })),
      200,
      async ({ w, token }) => {
        const start = performance.now();
        workers[seeded.indexOf(w)] = await BenchWorker.connect(`ws://127.0.0.1:${hubPort}/v1/workers/ws`, token, w.key);
        connectTimes.push(performance.now() - start);
      },
    );
    const connectWall = (performance.now() - t0) / 1000;
    connectTimes.sort((a, b) => a - b);
    let after = procUsage(hub.pid!);
    row(`connect+auth ${fmt(N)} workers`, `${fmt(N / connectWall)} conn/s, p50 ${fmt(percentile(connectTimes, 50), 1)} ms, p99 ${fmt(percentile(connectTimes, 99), 1)} ms`);
    row("hub RSS connected", `${fmt(after.rssBytes / 2 ** 20)} MiB (${fmt((after.rssBytes - idle.rssBytes) / N / 1024, 1)} KiB per connection)`);
    row("hub CPU during connect", `${fmt(after.cpuSeconds - usage.cpuSeconds, 2)} s`);

    // 3. Signed frames applied per second, by type.
    const payloads: Record<string, (w: SeededBenchWorker, i: number) => unknown> = {
      heartbeat: (_w, i) => ({ status: "online", cpu_used: (i % 8) / 2, mem_used: 2048, running_apps: 1 }),
      app_stats: (w, i) => ({ apps: [{ app_id: w.appId, cpu_pct: i % 100, mem_bytes: 1e8, mem_limit: 5e8, net_mbps: 1, net_total_bytes: i * 1000, disk_mbps: 0.1 }] }),
      runtime_log: (w, i) => ({ lines: Array.from({ length: 10 }, (_, j) => ({ app_id: w.appId, ts: new Date().toISOString(), stream: "stdout", line: `request ${i}-${j} GET /api/items 200 12ms` })) }),
    };
    for (const [type, make] of Object.entries(payloads)) {
      usage = procUsage(hub.pid!);
      const start = performance.now();
      await Promise.all(
        workers.map((bw, wi) => {
          for (let i = 0; i < FRAMES_PER_WORKER; i++) bw.send(type, make(seeded[wi]!, i));
          return bw.drained();
        }),
      );
      const rate = (N * FRAMES_PER_WORKER) / ((performance.now() - start) / 1000);
      after = procUsage(hub.pid!);
      const extra = type === "runtime_log" ? ` (${fmt(rate * 10)} lines/s)` : "";
      row(`${type} frames/s`, `${fmt(rate)}${extra}`, `${fmt(echoRate)} echo`, `${fmt(rate / echoRate, 2)}×`);
      row(`hub CPU for ${type}`, `${fmt(after.cpuSeconds - usage.cpuSeconds, 2)} s, RSS ${fmt(after.rssBytes / 2 ** 20)} MiB`);
    }

    // 3b. Runtime log ingest end to end (frames answered after commit) vs COPY of the same lines.
    {
      const logLine = (w: SeededBenchWorker, i: number, j: number) => `request ${i}-${j} GET /api/items?page=${j % 7} 200 12ms ua=bench/${w.id}`;
      await db.query(`TRUNCATE runtime_logs`);
      usage = procUsage(hub.pid!);
      const start = performance.now();
      await Promise.all(
        workers.slice(0, LOG_WORKERS).map((bw, wi) => {
          const w = seeded[wi]!;
          for (let i = 0; i < LOG_FRAMES; i++) {
            const ts = new Date().toISOString();
            bw.send("runtime_log", { lines: Array.from({ length: LOG_LINES }, (_, j) => ({ app_id: w.appId, ts, stream: "stdout", line: logLine(w, i, j) })) });
          }
          return bw.drained();
        }),
      );
      const hubRate = (LOG_WORKERS * LOG_FRAMES * LOG_LINES) / ((performance.now() - start) / 1000);
      after = procUsage(hub.pid!);
      const { rows: stored } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM runtime_logs`);
      const baseline: BaselineLine[] = [];
      const now = new Date();
      for (let wi = 0; wi < LOG_WORKERS; wi++) {
        for (let i = 0; i < LOG_FRAMES; i++) for (let j = 0; j < LOG_LINES; j++) baseline.push({ appId: seeded[wi]!.appId, workerId: seeded[wi]!.id, ts: now, stream: "stdout", line: logLine(seeded[wi]!, i, j) });
      }
      await db.query(`TRUNCATE runtime_logs`);
      const copyRate = await copyLinesPerSecond(db, baseline);
      await db.query(`TRUNCATE runtime_logs`);
      // What the table's secondary indexes cost on this path: the same COPY into a copy of the
      // table with its primary key only (no (app_id, ts), worker_id or ts index, no foreign keys).
      await db.query(`CREATE TABLE bench_runtime_logs_bare (LIKE runtime_logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS, PRIMARY KEY (id))`);
      const bareRate = await copyLinesPerSecond(db, baseline, 4_000, "bench_runtime_logs_bare");
      await db.query(`DROP TABLE bench_runtime_logs_bare`);
      row(
        `runtime log ingest, ${fmt(LOG_WORKERS)} workers × ${LOG_FRAMES} frames × ${LOG_LINES} lines (${fmt(stored[0]!.n)} stored)`,
        `${fmt(hubRate)} lines/s`,
        `${fmt(copyRate)} lines/s COPY`,
        `${fmt(hubRate / copyRate, 2)}×`,
      );
      row("COPY into runtime_logs without its indexes and keys", `${fmt(bareRate)} lines/s`, `${fmt(copyRate)} lines/s COPY`, `${fmt(bareRate / copyRate, 2)}×`);
      const GOAL = 50_000;
      row(
        `log ingest goal ${fmt(GOAL)} lines/s`,
        copyRate < GOAL
          ? `bound by Postgres here: the raw COPY of the same lines reaches ${fmt(copyRate)} lines/s (${fmt((copyRate / GOAL) * 100)} % of the goal)`
          : hubRate >= GOAL
            ? "met"
            : `not met; COPY reaches ${fmt(copyRate)} lines/s, so the hub is the bound`,
      );
      row("hub CPU for log ingest", `${fmt(after.cpuSeconds - usage.cpuSeconds, 2)} s, RSS ${fmt(after.rssBytes / 2 ** 20)} MiB`);
    }

    // 4. Job push latency: assignment (bus publish after the job row is assigned) → frame received.
    const cipher = new SecretCipher(SECRETS.APP_SECRET);
    const payload = (appId: number) =>
      cipher.encrypt(
        JSON.stringify({
          repoUrl: "https://example.test/r.git",
          branch: "main",
          commitSha: "",
          buildSettings: { kind: "auto", installCommand: "", buildCommand: "", startCommand: "", rootDirectory: "" },
          env: { PORT: "8080" },
          internalPort: 8080,
          limits: { cpu: 1, memoryMb: 512, pids: 256, diskMb: 1024, bandwidthMbit: 10 },
          subdomain: "x",
          domains: [],
        }),
        cipherContext.jobPayload(appId),
      );
    const targets = seeded.slice(0, JOBS);
    const { rows: jobRows } = await db.query<{ id: number }>(
      `INSERT INTO jobs (type, app_id, worker_id, status, payload, assigned_at)
       SELECT 'start', a, w, 'assigned', p, now() FROM unnest($1::int[], $2::int[], $3::text[]) WITH ORDINALITY AS t(a, w, p, i) ORDER BY i RETURNING id`,
      [targets.map((w) => w.appId), targets.map((w) => w.id), targets.map((w) => payload(w.appId))],
    );
    const bus = createBus({ databaseUrl });
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    const allReceived = new Promise<void>((resolve) => {
      targets.forEach((_w, i) => {
        workers[i]!.onJob = (jobId, at) => {
          const t = sentAt.get(jobId);
          if (t !== undefined) latencies.push(at - t);
          if (latencies.length === JOBS) resolve();
        };
      });
    });
    for (let i = 0; i < JOBS; i++) {
      sentAt.set(jobRows[i]!.id, performance.now());
      await bus.publish("job.assigned", { jobId: jobRows[i]!.id, workerId: targets[i]!.id });
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.race([allReceived, new Promise((r) => setTimeout(r, 30_000))]);
    await bus.close();
    latencies.sort((a, b) => a - b);
    row(`job push latency (${latencies.length}/${JOBS} jobs)`, `p50 ${fmt(percentile(latencies, 50), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms`);

    // 5. Traefik proxy-config, 1,000 then 10,000 running apps, vs a bare node:http handler
    // answering the same JSON uncompressed (what the hub answered before compression and ETags).
    const routeBus = createBus({ databaseUrl });
    const proxyUrl = `${hubUrl}/v1/traefik/proxy-config`;
    const auth = { authorization: `Bearer ${SECRETS.TRAEFIK_PROXY_TOKEN}` };
    const asTraefik = { ...auth, "accept-encoding": "gzip" };
    for (const apps of [1_000, 10_000]) {
      if (apps < N) {
        row(`traefik proxy-config, ${fmt(apps)} apps`, `skipped: the ${fmt(N)} simulated workers already run ${fmt(N)} apps`);
        continue;
      }
      await topUpRunningApps(db, apps, userId, seeded.map((w) => w.id));
      // As every route change does: the hubs drop their cached answer, the next poll rebuilds.
      await routeBus.publish("app.changed", { appId: seeded[0]!.appId, userId, status: "running" });
      await waitFor(async () => (await rawGet(proxyUrl, auth, true)).body!.toString().includes(`extra-`) || apps <= N);
      const identity = await rawGet(proxyUrl, auth, true);
      const body = identity.body!;
      const routers = Object.keys((JSON.parse(body.toString()) as { http: { routers: object } }).http.routers).length;
      const gz = await rawGet(proxyUrl, asTraefik);
      const file = join(dataDir, `traefik-${apps}.json`);
      writeFileSync(file, body);
      const basePort = await freePort();
      const base = await startChild(["bench/support/static-http-server.ts", String(basePort), file], {}, "ready");
      children.push(base);
      const baseUrl = `http://127.0.0.1:${basePort}/`;
      usage = procUsage(hub.pid!);
      const hubLoad = await closedLoad(proxyUrl, asTraefik, 16, 4_000);
      after = procUsage(hub.pid!);
      const baseLoad = await closedLoad(baseUrl, {}, 16, 4_000);
      row(
        `traefik proxy-config, ${fmt(routers)} running apps (${fmt(body.length / 1024)} KiB, ${fmt(gz.bytes / 1024)} KiB gzip), 16 clients`,
        `${fmt(hubLoad.rps)} req/s, p99 ${fmt(hubLoad.p99, 1)} ms`,
        `${fmt(baseLoad.rps)} req/s`,
        `${fmt(hubLoad.rps / baseLoad.rps, 2)}×`,
      );
      row(`hub CPU for traefik ${fmt(apps)}`, `${fmt(after.cpuSeconds - usage.cpuSeconds, 2)} s over 4 s, RSS ${fmt(after.rssBytes / 2 ** 20)} MiB`);
      if (apps === 10_000) {
        const polled = await fixedRateLoad(proxyUrl, asTraefik, 100, 5_000);
        const revalidated = await fixedRateLoad(proxyUrl, { ...asTraefik, "if-none-match": gz.etag ?? "" }, 100, 5_000);
        const bare = await fixedRateLoad(baseUrl, {}, 100, 5_000);
        row(`proxy-config at 100 req/s, ${fmt(routers)} apps, gzip`, `p50 ${fmt(polled.p50, 1)} ms, p99 ${fmt(polled.p99, 1)} ms (${polled.failed} failed)`, `p99 ${fmt(bare.p99, 1)} ms bare, identity`, `${fmt(polled.p99 / bare.p99, 2)}×`);
        row(`proxy-config at 100 req/s, ${fmt(routers)} apps, If-None-Match`, `p50 ${fmt(revalidated.p50, 1)} ms, p99 ${fmt(revalidated.p99, 1)} ms (304)`, `p99 ${fmt(bare.p99, 1)} ms bare, identity`, `${fmt(revalidated.p99 / bare.p99, 2)}×`);
        row(
          `bytes per poll, ${fmt(routers)} apps`,
          `${fmt(polled.bytesPerPoll / 1024, 1)} KiB gzip, ${fmt(revalidated.bytesPerPoll)} B on 304`,
          `${fmt(body.length / 1024, 1)} KiB before (identity)`,
          `${fmt((100 * polled.bytesPerPoll) / body.length, 1)} %`,
        );
        const visible = await routeVisibleAfterResult(seeded.slice(0, 20), workers.slice(0, 20));
        row(`route visible after a job result (${visible.length} start jobs)`, `p50 ${fmt(percentile(visible, 50), 1)} ms, max ${fmt(visible[visible.length - 1] ?? NaN, 1)} ms`, "5,000 ms TTL before", "—");
      }
      base.kill("SIGTERM");
    }
    await routeBus.close();

    /**
     * For each app: stopped (and gone from the table), a `start` job pushed to its worker, then the
     * worker's `job_result`; the time from sending that frame to the first poll (every ~10 ms, as
     * Traefik would with If-None-Match) whose config holds the app's router.
     */
    async function routeVisibleAfterResult(targets: SeededBenchWorker[], conns: BenchWorker[]): Promise<number[]> {
      const times: number[] = [];
      for (const [i, w] of targets.entries()) {
        await db.query(`UPDATE apps SET status = 'stopped' WHERE id = $1`, [w.appId]);
        await routeBus.publish("app.changed", { appId: w.appId, userId, status: "stopped" });
        await waitFor(async () => !gunzipIfNeeded(await rawGet(proxyUrl, asTraefik, true)).includes(`"app-${w.appId}-`));
        const { rows: job } = await db.query<{ id: number }>(
          `INSERT INTO jobs (type, app_id, worker_id, status, payload, assigned_at) VALUES ('start', $1, $2, 'assigned', $3, now()) RETURNING id`,
          [w.appId, w.id, payload(w.appId)],
        );
        const jobId = job[0]!.id;
        const pushed = new Promise<void>((resolve) => (conns[i]!.onJob = (id) => id === jobId && resolve()));
        await routeBus.publish("job.assigned", { jobId, workerId: w.id });
        await pushed;
        let etag = "";
        const t0 = performance.now();
        conns[i]!.send("job_result", { job_id: jobId, status: "completed", port: 30000 + (w.id % 30000) });
        for (;;) {
          const res = await rawGet(proxyUrl, { ...asTraefik, ...(etag ? { "if-none-match": etag } : {}) }, true);
          if (res.status === 200) {
            etag = res.etag ?? "";
            if (gunzipIfNeeded(res).includes(`"app-${w.appId}-`)) break;
          }
          await new Promise((r) => setTimeout(r, 10));
        }
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b);
    }
    const bad = workers.reduce((n, w) => n + w.badFrames, 0);
    row("hub frames failing verification at the worker", String(bad));
    await db.end();
  } finally {
    for (const w of workers) w?.close();
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    await postgres.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const header: [string, string, string, string] = ["metric", "ws-hub", "baseline (same run)", "ratio"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(`\nws-hub benchmark — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}, N=${N}\n`);
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(r));
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
