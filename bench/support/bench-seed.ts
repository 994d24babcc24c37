import { randomUUID } from "node:crypto";
import pg from "pg";
import { generateApiKey, hashApiKey, hashApiKeyBytes } from "../../src/protocol/api-key";

export interface SeededBenchWorker {
  id: number;
  apiKey: string;
  key: Buffer;
  appId: number;
}

/**
 * The team the user's apps go into: the personal team the users trigger creates
 * (prisma/migrations/*_teams), or null on a schema from before teams.
 */
export async function personalTeamId(db: pg.Pool, userId: number): Promise<number | null> {
  const { rows: t } = await db.query<{ ok: boolean }>(`SELECT to_regclass('team_members') IS NOT NULL AS ok`);
  if (!t[0]!.ok) return null;
  const { rows } = await db.query<{ team_id: number }>(`SELECT team_id FROM team_members WHERE user_id = $1 ORDER BY team_id LIMIT 1`, [userId]);
  return rows[0]?.team_id ?? null;
}

/** `team_id` in an apps INSERT, when the schema has teams. */
const teamCols = (teamId: number | null) => (teamId === null ? { col: "", val: "" } : { col: ", team_id", val: `, ${Number(teamId)}` });

/** N workers (each with a WireGuard IP) and one running app per worker, in two statements. */
export async function seedWorkersAndApps(db: pg.Pool, n: number, userId: number): Promise<SeededBenchWorker[]> {
  const keys = Array.from({ length: n }, () => generateApiKey(32));
  const { rows: workers } = await db.query<{ id: number }>(
    `INSERT INTO workers (name, ip, api_key_hash, cap_cpu, cap_mem, wireguard_ip, status)
     SELECT 'bench-' || i, '10.0.0.1', h, 64, 262144, '10.8.' || (i / 250)::int || '.' || (i % 250 + 1), 'online'
       FROM unnest($1::text[]) WITH ORDINALITY AS t(h, i) ORDER BY i RETURNING id`,
    [keys.map(hashApiKey)],
  );
  const team = teamCols(await personalTeamId(db, userId));
  const { rows: apps } = await db.query<{ id: number }>(
    `INSERT INTO apps (uuid, user_id, name, subdomain, status, worker_id, port${team.col})
     SELECT gen_random_uuid(), $1, 'bench-app-' || w, 'bench-app-' || w, 'running', w, 30000 + (w % 30000)${team.val}
       FROM unnest($2::int[]) WITH ORDINALITY AS t(w, i) ORDER BY i RETURNING id`,
    [userId, workers.map((w) => w.id)],
  );
  return workers.map((w, i) => ({ id: w.id, apiKey: keys[i]!, key: hashApiKeyBytes(keys[i]!), appId: apps[i]!.id }));
}

/** Adds running apps (spread over the given workers) until `total` apps are running. */
export async function topUpRunningApps(db: pg.Pool, total: number, userId: number, workerIds: number[]): Promise<void> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM apps WHERE status = 'running'`);
  const missing = total - Number(rows[0]!.n);
  if (missing <= 0) return;
  const tag = randomUUID().slice(0, 8);
  const team = teamCols(await personalTeamId(db, userId));
  await db.query(
    `INSERT INTO apps (uuid, user_id, name, subdomain, status, worker_id, port${team.col})
     SELECT gen_random_uuid(), $1, 'extra-${tag}-' || i, 'extra-${tag}-' || i, 'running', ($2::int[])[1 + (i % array_length($2::int[], 1))], 20000 + (i % 10000)${team.val}
       FROM generate_series(1, $3::int) AS i`,
    [userId, workerIds, missing],
  );
}
