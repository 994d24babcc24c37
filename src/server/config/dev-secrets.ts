import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { ConfigError } from "./env";

const devSecretsSchema = z.object({
  APP_SECRET: z.string().min(32),
  WORKER_REGISTRATION_TOKEN: z.string().min(16),
  TRAEFIK_PROXY_TOKEN: z.string().min(16),
});
export type DevSecrets = z.infer<typeof devSecretsSchema>;
export const DEV_SECRET_NAMES = Object.keys(devSecretsSchema.shape) as (keyof DevSecrets)[];

/**
 * Development secrets, generated once and kept in `<dataDir>/dev-secrets.json` so sessions and
 * encrypted columns survive restarts. Never used in production (the config refuses it).
 * A file that exists but cannot be read or does not validate stops the caller: writing new
 * secrets over it would make every column encrypted with the old APP_SECRET unreadable.
 */
export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, "dev-secrets.json");
  if (existsSync(file)) return readDevSecrets(file);
  const secrets: DevSecrets = {
    APP_SECRET: randomBytes(32).toString("base64url"),
    WORKER_REGISTRATION_TOKEN: `wrt_${randomBytes(24).toString("base64url")}`,
    TRAEFIK_PROXY_TOKEN: `tpt_${randomBytes(24).toString("base64url")}`,
  };
  mkdirSync(dirname(file), { recursive: true });
  // Written aside, then linked into place: the file appears whole or not at all, and link()
  // refuses to replace a file another process created meanwhile (then its secrets are used).
  const draft = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(draft, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: "wx" });
  try {
    linkSync(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return readDevSecrets(file);
    throw err;
  } finally {
    rmSync(draft, { force: true });
  }
  return secrets;
}

/** The generated secrets for the names `env` leaves unset; an operator's value always wins. */
export function devSecretsForGaps(dataDir: string, env: Record<string, unknown>): Partial<DevSecrets> {
  const missing = DEV_SECRET_NAMES.filter((name) => !env[name]);
  if (missing.length === 0) return {};
  const secrets = loadOrCreateDevSecrets(dataDir);
  return Object.fromEntries(missing.map((name) => [name, secrets[name]]));
}

function readDevSecrets(file: string): DevSecrets {
  const problem = (why: string) =>
    new ConfigError([
      `${file}: ${why}. It holds the development secrets (APP_SECRET encrypts env vars, git tokens and 2FA secrets), ` +
        "so it is never regenerated over. Restore the file from a backup, or set APP_SECRET, WORKER_REGISTRATION_TOKEN " +
        "and TRAEFIK_PROXY_TOKEN to the values it held.",
    ]);
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (err) {
    throw problem(`cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw problem("is not valid JSON");
  }
  const parsed = devSecretsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw problem(`is not a valid secrets file (${issue?.path.join(".") || "file"}: ${issue?.message})`);
  }
  return parsed.data;
}
