import pg from "pg";
import { createDb } from "../../src/server/db/client";
import { createSession } from "../../src/server/sessions/create-session";
import { sessionSetCookie } from "../../src/server/sessions/session-cookie";
import { seedWorkersAndApps, type SeededBenchWorker } from "./bench-seed";

/** The user agent every benchmark session was created with and sends. */
export const LOAD_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) bench-load/1.0";

export interface LoadSession {
  userId: number;
  /** `name=value` of the signed session cookie, as the browser sends it back. */
  cookie: string;
  appIds: number[];
}

export interface LoadSeed {
  sessions: LoadSession[];
  workers: SeededBenchWorker[];
}

/**
 * `users` signed-in dashboard users and `workers` simulated workers with one running app each, the
 * apps dealt round-robin to the users (each into the user's personal team, which the users trigger
 * makes). Sessions are made by the sign-in path's own createSession and sealed into the cookie the
 * web hands out (src/server/sessions), so every request is checked as a browser's would be.
 */
export async function seedLoad(config: { databaseUrl: string; appSecret: string; publicUrl: string }, users: number, workers: number): Promise<LoadSeed> {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  const db = createDb(config.databaseUrl, { max: 2 });
  try {
    const { rows: userRows } = await pool.query<{ id: number }>(
      `INSERT INTO users (email, name, email_verified_at, updated_at)
       SELECT 'load-' || g || '@example.test', 'Load ' || g, now(), now() FROM generate_series(1, $1::int) g ORDER BY g RETURNING id`,
      [users],
    );
    const userIds = userRows.map((u) => u.id);
    const seeded = await seedWorkersAndApps(pool, workers, userIds[0]!);
    // Deal the apps out: app i belongs to user i mod users, in that user's personal team.
    await pool.query(
      `UPDATE apps a SET user_id = t.user_id, team_id = (SELECT team_id FROM team_members m WHERE m.user_id = t.user_id ORDER BY team_id LIMIT 1)
         FROM unnest($1::int[], $2::int[]) AS t(app_id, user_id) WHERE a.id = t.app_id`,
      [seeded.map((w) => w.appId), seeded.map((_w, i) => userIds[i % userIds.length]!)],
    );
    await pool.query(`ANALYZE`);
    const sessions: LoadSession[] = [];
    for (const [i, userId] of userIds.entries()) {
      const session = await createSession(db, { userId, twoFactor: false, client: { ip: "127.0.0.1", userAgent: LOAD_USER_AGENT } });
      const cookie = (await sessionSetCookie({ PUBLIC_URL: config.publicUrl, APP_SECRET: config.appSecret }, session.token)).split(";")[0]!;
      const appIds = seeded.filter((_w, j) => j % userIds.length === i).map((w) => w.appId);
      sessions.push({ userId, cookie, appIds });
    }
    if (sessions.some((s) => s.appIds.length === 0)) throw new Error(`${users} users need at least as many workers (apps); got ${workers}`);
    return { sessions, workers: seeded };
  } finally {
    await db.$disconnect().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}
