import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";

const devSecretsSchema = z.object({
  APP_SECRET: z.string().min(32),
  WORKER_REGISTRATION_TOKEN: z.string().min(16),
  TRAEFIK_PROXY_TOKEN: z.string().min(16),
});
export type DevSecrets = z.infer<typeof devSecretsSchema>;

/**
 * Development secrets, generated once and kept in `<dataDir>/dev-secrets.json` so sessions and
 * encrypted columns survive restarts. Never used in production (the config refuses it).
 */
export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, "dev-secrets.json");
  if (existsSync(file)) {
    const parsed = devSecretsSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (parsed.success) return parsed.data;
  }
  const secrets: DevSecrets = {
    APP_SECRET: randomBytes(32).toString("base64url"),
    WORKER_REGISTRATION_TOKEN: `wrt_${randomBytes(24).toString("base64url")}`,
    TRAEFIK_PROXY_TOKEN: `tpt_${randomBytes(24).toString("base64url")}`,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
