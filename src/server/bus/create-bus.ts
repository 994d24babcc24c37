import pg from "pg";
import type { Logger } from "pino";
import type { Bus } from "./channels";
import { PgBus } from "./pg-bus";
import { RedisBus } from "./redis-bus";

/** Redis pub/sub when REDIS_URL is set, Postgres LISTEN/NOTIFY otherwise. */
export function createBus(options: { databaseUrl: string; redisUrl?: string; log?: Logger }): Bus {
  if (options.redisUrl) return new RedisBus(options.redisUrl, options.log);
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  pool.on("error", (err) => options.log?.warn({ err: err.message }, "bus publish pool error"));
  const bus = new PgBus(pool, options.databaseUrl, options.log);
  const close = bus.close.bind(bus);
  bus.close = async () => {
    await close();
    await pool.end();
  };
  return bus;
}
