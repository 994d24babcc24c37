import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { devSecretsForGaps, type DevSecrets } from "./dev-secrets";
import { ConfigError, parseEnv, type RawEnv } from "./env";

export interface AppConfig extends RawEnv {
  DATABASE_URL: string;
  APP_SECRET: string;
  WORKER_REGISTRATION_TOKEN: string;
  TRAEFIK_PROXY_TOKEN: string;
  HUB_INTERNAL_URL: string;
  LOCAL_REPOS_ENABLED: boolean;
  isProduction: boolean;
  dataDir: string;
  adminEmails: string[];
}

/** Where the launcher records the embedded Postgres it started, for processes run on their own. */
export function runtimeFile(dataDir: string): string {
  return join(dataDir, "runtime.json");
}

function embeddedDatabaseUrl(dataDir: string): string | undefined {
  const file = runtimeFile(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const runtime = JSON.parse(readFileSync(file, "utf8")) as { databaseUrl?: string };
    return runtime.databaseUrl;
  } catch {
    return undefined;
  }
}

/** Validated configuration; development fills in generated secrets and the embedded database. */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const env = parseEnv(source);
  const isProduction = env.NODE_ENV === "production";
  const dataDir = isAbsolute(env.DATA_DIR) ? env.DATA_DIR : resolve(/*turbopackIgnore: true*/ process.cwd(), env.DATA_DIR);
  // Generated secrets only fill gaps: a value the operator set (env or credentials) always wins.
  const dev: Partial<DevSecrets> = isProduction ? {} : devSecretsForGaps(dataDir, env);
  const databaseUrl = env.DATABASE_URL ?? embeddedDatabaseUrl(dataDir);
  if (!databaseUrl) {
    throw new ConfigError([
      "DATABASE_URL: not set and no embedded Postgres is running; start everything with `npm start` or set DATABASE_URL",
    ]);
  }
  return {
    ...env,
    DATABASE_URL: databaseUrl,
    APP_SECRET: (env.APP_SECRET ?? dev.APP_SECRET)!,
    WORKER_REGISTRATION_TOKEN: (env.WORKER_REGISTRATION_TOKEN ?? dev.WORKER_REGISTRATION_TOKEN)!,
    TRAEFIK_PROXY_TOKEN: (env.TRAEFIK_PROXY_TOKEN ?? dev.TRAEFIK_PROXY_TOKEN)!,
    HUB_INTERNAL_URL: env.HUB_INTERNAL_URL ?? `http://127.0.0.1:${env.HUB_PORT}`,
    LOCAL_REPOS_ENABLED: env.LOCAL_REPOS_ENABLED ?? !isProduction,
    isProduction,
    dataDir,
    adminEmails: env.ADMIN_EMAILS.split(",")
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean),
  };
}

let cached: AppConfig | undefined;

/** The process-wide configuration, loaded once. */
export function getConfig(): AppConfig {
  cached ??= loadConfig();
  return cached;
}

/** Loads the configuration or prints what is wrong and exits non-zero (process entry points). */
export function loadConfigOrExit(processName: string): AppConfig {
  try {
    return getConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${processName}: ${err.message}\nSee .env.example for every setting.\n`);
      process.exit(78);
    }
    throw err;
  }
}
