import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

export type Db = InstanceType<typeof PrismaClient>;

export interface DbOptions {
  /** Pool: 25 connections, 5-minute lifetime. */
  max?: number;
  idleTimeoutMillis?: number;
  maxLifetimeSeconds?: number;
}

/** A Prisma client over node-postgres (no native query engine). */
export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const adapter = new PrismaPg({
    connectionString,
    max: options.max ?? 25,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    maxLifetimeSeconds: options.maxLifetimeSeconds ?? 300,
    connectionTimeoutMillis: 10_000,
  });
  return new PrismaClient({ adapter });
}

export { Prisma } from "./generated/client";
