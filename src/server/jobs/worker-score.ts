import { Prisma } from "../db/client";

/**
 * The weighted utilisation score: reserved CPU share and reserved memory share weigh 0.4
 * each, the running-app count (saturating at 100) 0.2. Lowest score wins; ties go to the lower id
 * so the choice is deterministic.
 */
export const WORKER_SCORE_SQL = Prisma.sql`(0.4 * used_cpu / cap_cpu + 0.4 * used_mem::float8 / cap_mem + 0.2 * LEAST(running_apps, 100) / 100.0)`;

/** Floating-point slack so 0.1 + 0.2 cores still fits a 0.3-core worker. */
export const CPU_EPSILON = 1e-9;
