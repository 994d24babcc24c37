import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Secrets that may come from systemd `LoadCredential=` files instead of the environment. */
export const CREDENTIAL_NAMES = [
  "APP_SECRET",
  "WORKER_REGISTRATION_TOKEN",
  "TRAEFIK_PROXY_TOKEN",
  "METRICS_TOKEN",
  "DATABASE_URL",
  "REDIS_URL",
  "SMTP_URL",
  "OIDC_CLIENT_SECRET",
  "GITHUB_CLIENT_SECRET",
  "GITLAB_CLIENT_SECRET",
  "BITBUCKET_CLIENT_SECRET",
  "CODEBERG_CLIENT_SECRET",
] as const;

/**
 * Overlays `$CREDENTIALS_DIRECTORY/<lowercase name>` onto the environment. A credential file
 * wins over the variable so unit files can keep secrets out of the process environment.
 */
export function overlayCredentials(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const dir = env.CREDENTIALS_DIRECTORY;
  if (!dir) return env;
  const out = { ...env };
  for (const name of CREDENTIAL_NAMES) {
    const file = join(dir, name.toLowerCase());
    if (existsSync(file)) out[name] = readFileSync(file, "utf8").replace(/\r?\n$/, "");
  }
  return out;
}
