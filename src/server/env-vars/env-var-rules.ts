import { z } from "zod";
import { ENV_KEY_RULE, isValidEnvKey } from "../apps/env-key";

/** A single value may hold a certificate or a JSON blob, not a database dump. */
export const ENV_VALUE_MAX_BYTES = 32 * 1024;
/** All values of one app together (they travel in every job payload). */
export const ENV_TOTAL_MAX_BYTES = 256 * 1024;
export const ENV_COUNT_MAX = 500;

export const envKeyInput = z
  .string()
  .max(200)
  .refine(isValidEnvKey, { message: `Env var key ${ENV_KEY_RULE}.` });

export const envValueInput = z
  .string()
  .refine((v) => Buffer.byteLength(v, "utf8") <= ENV_VALUE_MAX_BYTES, {
    message: `Env var value is too large (at most ${ENV_VALUE_MAX_BYTES / 1024} KiB).`,
  })
  .refine((v) => !v.includes("\u0000"), { message: "Env var value cannot contain NUL bytes." });

export const envEntryInput = z.object({ key: envKeyInput, value: envValueInput });
export type EnvEntry = z.infer<typeof envEntryInput>;
