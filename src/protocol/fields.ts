import { z } from "zod";

/** A database row id as the wire carries it (a Postgres `integer`). */
export const rowId = z.number().int().min(1).max(2_147_483_647);
export const nonNegative = z.number().finite().min(0);
