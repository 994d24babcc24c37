/**
 * Dashboard server-time benchmark (`npm run bench:web`): `apps.list` for a team with 1,000 apps
 * (each with a current deployment and a domain), called through the real tRPC router with real
 * services on an embedded Postgres (fsync on), beside the same rows read by one bare SQL query in
 * the same run. `BENCH_APPS` (default 1,000), `BENCH_CALLS` (default 200). It prints figures and
 * never fails. The first-load JS per route is not measured here yet (docs/performance.md).
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { PostgresServer } from "../src/launcher/postgres-server";
import { freePort } from "../src/net/free-port";
import { loadConfig } from "../src/server/config/config";
import { migrate } from "../src/server/db/migrator";
import { createServices } from "../src/server/runtime/services";
import { appRouter } from "../src/server/trpc/root";
import { createCallerFactory } from "../src/server/trpc/trpc";
import type { TrpcContext } from "../src/server/trpc/context";
import { personalTeamId } from "./support/bench-seed";
import { percentile } from "./support/proc-usage";

const APPS = Math.max(1, Number(process.env.BENCH_APPS ?? 1_000));
const CALLS = Math.max(10, Number(process.env.BENCH_CALLS ?? 200));
const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });

async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "wh-bench-web-"));
  chmodSync(dir, 0o755); // the embedded Postgres runs as its own user (src/launcher/postgres-server.ts)
  const server = new PostgresServer({ dataDir: dir, port: await freePort() });
  await server.initialise();
  await server.start();
  await server.createDatabase("bench");
  const url = server.url("bench");
  await migrate(url);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const config = loadConfig({
    DATABASE_URL: url,
    APP_SECRET: "bench-app-secret-0123456789abcdef-0123456789",
    NODE_ENV: "test",
    DATA_DIR: dir,
    PLATFORM_DOMAIN: "apps.bench.test",
    PUBLIC_URL: "http://127.0.0.1:3999",
    LOG_LEVEL: "silent",
  });
  const services = createServices("web", config);
  try {
    const { rows: users } = await pool.query<{ id: number }>(`INSERT INTO users (email, name, updated_at) VALUES ('bench@example.test', 'Bench', now()) RETURNING id`);
    const userId = users[0]!.id;
    const teamId = await personalTeamId(pool, userId);
    await pool.query(
      `INSERT INTO apps (uuid, user_id, team_id, name, subdomain, status, repo_url, updated_at)
       SELECT gen_random_uuid(), $1, $2, 'bench-' || g, 'bench-' || g, 'running', 'https://example.test/bench-' || g || '.git', now() FROM generate_series(1, $3::int) g`,
      [userId, teamId, APPS],
    );
    await pool.query(
      `INSERT INTO deployments (app_id, user_id, status, trigger, commit_sha, commit_message, branch, finished_at)
       SELECT id, $1, 'succeeded', 'manual', repeat('a', 40), 'bench commit', 'main', now() FROM apps`,
      [userId],
    );
    await pool.query(`UPDATE apps a SET current_deployment_id = d.id FROM deployments d WHERE d.app_id = a.id`);
    await pool.query(`INSERT INTO domains (user_id, team_id, app_id, hostname, status, verification_token) SELECT user_id, team_id, id, name || '.example.test', 'verified', md5(name) FROM apps`);
    await pool.query(`ANALYZE`);
    const { rows: sessions } = await pool.query<{ id: number }>(
      `INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, 'bench-token-hash', now() + interval '1 day') RETURNING id`,
      [userId],
    );
    const ctx: TrpcContext = {
      services,
      user: { id: userId, email: "bench@example.test", name: "Bench", role: "user", plan: "free" },
      session: { id: sessions[0]!.id, twoFactor: false, reauthAt: null },
      request: { ip: "127.0.0.1", userAgent: "bench-web", origin: null, headers: new Headers() },
      responseHeaders: new Headers(),
    };
    const caller = createCallerFactory(appRouter)(ctx);
    const listed = await caller.apps.list();
    if (listed.length !== APPS) throw new Error(`apps.list returned ${listed.length} apps, expected ${APPS}`);
    // Warm-up of both paths (query plans, pools, JIT).
    await timed(20, () => caller.apps.list());
    const baselineSql = `SELECT a.*, row_to_json(d) AS current_deployment, (SELECT json_agg(json_build_object('hostname', m.hostname, 'status', m.status) ORDER BY m.hostname) FROM domains m WHERE m.app_id = a.id) AS domains
        FROM apps a LEFT JOIN deployments d ON d.id = a.current_deployment_id
       WHERE a.team_id = $1 AND a.deleted_at IS NULL ORDER BY a.created_at DESC`;
    await timed(20, () => pool.query(baselineSql, [teamId]));
    const list = await timed(CALLS, () => caller.apps.list());
    const bare = await timed(CALLS, () => pool.query(baselineSql, [teamId]));
    console.log(`dashboard server time — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
    const row = (label: string, xs: number[]) => console.log(`${label.padEnd(58)} p50 ${fmt(percentile(xs, 50)).padStart(7)} ms   p95 ${fmt(percentile(xs, 95)).padStart(7)} ms   (n=${xs.length})`);
    row(`apps.list, ${APPS.toLocaleString("en-US")} apps (tRPC caller, real services)`, list);
    row(`baseline: the same rows in one bare SQL query`, bare);
    console.log(`ratio at p95: ${(percentile(list, 95) / percentile(bare, 95)).toFixed(1)}x`);
  } finally {
    await services.close();
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
