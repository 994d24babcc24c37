/**
 * Dashboard benchmark (`npm run bench:web`). Server time of `apps.list` for a team with 1,000 apps
 * (each with a current deployment and a domain) on an embedded Postgres (fsync on): through the
 * real tRPC router and services (a server-side caller), and as the web answers it (the tRPC fetch
 * handler the Next route uses: session cookie looked up, the transformer, the JSON body), beside the same
 * rows read by one bare SQL query in the same run. Then the first-load JS of every route from a
 * production build (bench/support/first-load-js.ts), beside the part every route shares.
 * `BENCH_APPS` (default 1,000), `BENCH_CALLS` (default 200), `BENCH_BUILD=0` skips the build. It
 * prints figures and never fails.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import superjson from "superjson";
import { transformer } from "../src/lib/trpc/transformer";
import { PostgresServer } from "../src/launcher/postgres-server";
import { freePort } from "../src/net/free-port";
import { loadConfig } from "../src/server/config/config";
import { migrate } from "../src/server/db/migrator";
import { createServices } from "../src/server/runtime/services";
import { appRouter } from "../src/server/trpc/root";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { resolveCaller } from "../src/server/auth/resolve-caller";
import { createSession } from "../src/server/sessions/create-session";
import { sessionSetCookie } from "../src/server/sessions/session-cookie";
import { createCallerFactory } from "../src/server/trpc/trpc";
import type { TrpcContext } from "../src/server/trpc/context";
import { personalTeamId } from "./support/bench-seed";
import { fmt, printDistribution, printHeader } from "./support/figures";
import { measureFirstLoadJs } from "./support/first-load-js";
import { percentile } from "./support/proc-usage";

const APPS = Math.max(1, Number(process.env.BENCH_APPS ?? 1_000));
const CALLS = Math.max(10, Number(process.env.BENCH_CALLS ?? 200));
const BUILD = process.env.BENCH_BUILD !== "0";
/** The issue 13 goal for every route's first load. */
const FIRST_LOAD_GOAL_KIB = 200;

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
  // An idle client closed by the server while the bench shuts down must not end it with an error.
  pool.on("error", (err) => process.stderr.write(`bench pool: ${err.message}\n`));
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
    const session = await createSession(services.db, { userId, twoFactor: false, client: { ip: "127.0.0.1", userAgent: "bench-web" } });
    const cookie = (await sessionSetCookie(config, session.token)).split(";")[0]!;
    const request = { ip: "127.0.0.1", userAgent: "bench-web", origin: null, headers: new Headers() };
    const ctx: TrpcContext = {
      services,
      user: { id: userId, email: "bench@example.test", name: "Bench", role: "user", plan: "free" },
      session: { id: session.id, twoFactor: false, reauthAt: null },
      request,
      responseHeaders: new Headers(),
    };
    const caller = createCallerFactory(appRouter)(ctx);
    const listed = await caller.apps.list();
    if (listed.length !== APPS) throw new Error(`apps.list returned ${listed.length} apps, expected ${APPS}`);
    // As src/app/api/trpc/[trpc]/route.ts answers it, with the caller resolved from the cookie.
    const overHandler = async () => {
      const req = new Request(`http://127.0.0.1/api/trpc/apps.list`, { headers: { cookie } });
      const responseHeaders = new Headers();
      const res = await fetchRequestHandler({
        endpoint: "/api/trpc",
        req,
        router: appRouter,
        createContext: async () => ({ services, request, responseHeaders, ...(await resolveCaller(services, { cookieHeader: cookie, responseHeaders })) }),
      });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`apps.list answered ${res.status}: ${body.slice(0, 200)}`);
      return body.length;
    };
    const bodyBytes = await overHandler();
    // Warm-up of every path (query plans, pools, JIT).
    await timed(20, () => caller.apps.list());
    await timed(20, overHandler);
    const baselineSql = `SELECT a.*, row_to_json(d) AS current_deployment, (SELECT json_agg(json_build_object('hostname', m.hostname, 'status', m.status) ORDER BY m.hostname) FROM domains m WHERE m.app_id = a.id) AS domains
        FROM apps a LEFT JOIN deployments d ON d.id = a.current_deployment_id
       WHERE a.team_id = $1 AND a.deleted_at IS NULL ORDER BY a.created_at DESC`;
    await timed(20, () => pool.query(baselineSql, [teamId]));
    const list = await timed(CALLS, () => caller.apps.list());
    const handled = await timed(CALLS, overHandler);
    const bare = await timed(CALLS, () => pool.query(baselineSql, [teamId]));
    // The answer's encoding alone (tRPC's transformer, src/lib/trpc/transformer.ts), beside
    // superjson's own walk of it and plain JSON.
    const encoded = await timed(CALLS, async () => JSON.stringify(transformer.serialize(listed)));
    const walked = await timed(CALLS, async () => JSON.stringify(superjson.serialize(listed)));
    const plainJson = await timed(CALLS, async () => JSON.stringify(listed));
    printHeader("dashboard server time");
    const row = (label: string, xs: number[]) => printDistribution(label, xs, { ps: [50, 95] });
    row(`apps.list, ${APPS.toLocaleString("en-US")} apps (tRPC caller, real services)`, list);
    row(`apps.list as the web answers it (handler, ${fmt(bodyBytes / 1024, 0)} KiB JSON)`, handled);
    row(`baseline: the same rows in one bare SQL query`, bare);
    row(`  of the handler: the transformer's encoding of the answer`, encoded);
    row(`  superjson's own walk of the same answer`, walked);
    row(`  baseline: JSON.stringify of the same answer`, plainJson);
    console.log(`ratio at p95: caller ${(percentile(list, 95) / percentile(bare, 95)).toFixed(1)}x, handler ${(percentile(handled, 95) / percentile(bare, 95)).toFixed(1)}x`);
    if (BUILD) await printFirstLoadJs();
  } finally {
    await services.close();
    await pool.end();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function printFirstLoadJs() {
  const report = await measureFirstLoadJs(process.cwd(), process.env.NEXT_DIST_DIR ?? ".next-bench");
  const kib = (n: number) => `${fmt(n / 1024)} KiB`;
  console.log(`\nfirst-load JS per route (gzip -9 of each chunk; production build ${report.build === "built" ? "made in this run" : "reused, same sources"})\n`);
  for (const r of report.routes) console.log(`${r.route.padEnd(44)} ${kib(r.gzipBytes).padStart(12)}   (${kib(r.rawBytes)} uncompressed)`);
  const over = report.routes.filter((r) => r.gzipBytes > FIRST_LOAD_GOAL_KIB * 1024);
  const largest = report.routes[0];
  console.log(`baseline: the chunks every route loads ${kib(report.shared.gzipBytes)} (${kib(report.shared.rawBytes)} uncompressed)`);
  console.log(
    `largest ${largest ? `${largest.route} ${kib(largest.gzipBytes)}` : "—"}; ${over.length === 0 ? `no route over ${FIRST_LOAD_GOAL_KIB} KiB` : `over ${FIRST_LOAD_GOAL_KIB} KiB: ${over.map((r) => r.route).join(", ")}`} (${report.routes.length} routes)`,
  );
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
