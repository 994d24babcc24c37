import { z } from "zod";
import { allowCidrsProblem } from "../../net/address-policy";
import { overlayCredentials } from "./credentials";

const port = z.coerce.number().int().min(1).max(65535);
const boolish = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off"])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));
const optionalUrl = z.url().optional();
const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
  .optional();
const redisUrl = z
  .string()
  .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
  .optional();

/** A host name, IPv4 address or bracketed IPv6 address, with an optional port: what a Host header carries. */
export const HOST_WITH_PORT = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:\d{1,5})?$/;

/** Extra names the dashboard answers to besides PUBLIC_URL's host (comma-separated host[:port]). */
const allowedHosts = z
  .string()
  .default("")
  .superRefine((value, ctx) => {
    for (const entry of value.split(",").map((e) => e.trim().toLowerCase()).filter(Boolean)) {
      if (!HOST_WITH_PORT.test(entry)) {
        ctx.addIssue({ code: "custom", message: `"${entry}" is not a host name or host:port (no scheme, path or wildcard), e.g. dashboard.internal:3000` });
      }
    }
  });

/** Every setting the processes read. `.env.example` documents each one. */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(25),
  REDIS_URL: redisUrl,
  APP_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  WORKER_REGISTRATION_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  TRAEFIK_PROXY_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  PUBLIC_URL: z.url().default("http://localhost:3000"),
  ALLOWED_HOSTS: allowedHosts,
  HUB_PUBLIC_URL: optionalUrl,
  /** Where the web process reaches the ws-hub's /health for the status page (unset: loopback on HUB_PORT). */
  HUB_INTERNAL_URL: optionalUrl,
  PLATFORM_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a lowercase host name such as apps.example.com")
    .default("localhost"),
  WEB_PORT: port.default(3000),
  HUB_PORT: port.default(3001),
  BIND_HOST: z.string().default("127.0.0.1"),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL").optional(),
  MAIL_FROM: z.string().default("WiseHosting <no-reply@wisehosting.local>"),
  /** Port of the development mail catcher (SMTP_URL unset); 0 or unset picks a free port. */
  MAIL_CATCHER_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** Comma-separated CIDRs outbound webhooks may reach despite the SSRF guard (development/tests only). */
  WEBHOOK_ALLOW_CIDRS: z.string().default(""),
  OIDC_ISSUER: z.url().default("https://accounts.google.com"),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  TRUST_PROXY: z.string().default("loopback"),
  ADMIN_EMAILS: z.string().default(""),
  GEOIP_DB_PATH: z.string().optional(),
  PLANS_JSON: z.string().optional(),
  LOCAL_REPOS_ENABLED: boolish.optional(),
  /** Comma-separated CIDRs repository URLs may point at despite the address check (a private git server). */
  REPO_ALLOW_CIDRS: z
    .string()
    .default("")
    .refine((v) => allowCidrsProblem(v) === null, { error: (issue) => `must be comma-separated CIDRs: ${allowCidrsProblem(String(issue.input))}` }),
  /** DNS server for custom-domain verification, "host" or "host:port" (unset: the system resolver). */
  DNS_RESOLVER: z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[0-9.]+|[A-Za-z0-9.-]+)(:\d{1,5})?$/, "must be an address such as 127.0.0.1:5353").optional(),
  /** Host custom domains CNAME to (unset: the app's own <slug>.<PLATFORM_DOMAIN>). */
  DOMAIN_CNAME_TARGET: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a lowercase host name").optional(),
  /** Comma-separated IPv4/IPv6 addresses apex domains may point A/AAAA records at. */
  DOMAIN_A_RECORDS: z.string().default(""),
  GITHUB_CLIENT_ID: z.string().optional(),
  GITHUB_CLIENT_SECRET: z.string().optional(),
  GITHUB_URL: z.url().default("https://github.com"),
  GITHUB_API_URL: z.url().default("https://api.github.com"),
  GITLAB_CLIENT_ID: z.string().optional(),
  GITLAB_CLIENT_SECRET: z.string().optional(),
  GITLAB_URL: z.url().default("https://gitlab.com"),
  BITBUCKET_CLIENT_ID: z.string().optional(),
  BITBUCKET_CLIENT_SECRET: z.string().optional(),
  BITBUCKET_URL: z.url().default("https://bitbucket.org"),
  BITBUCKET_API_URL: z.url().default("https://api.bitbucket.org"),
  CODEBERG_CLIENT_ID: z.string().optional(),
  CODEBERG_CLIENT_SECRET: z.string().optional(),
  CODEBERG_URL: z.url().default("https://codeberg.org"),
  RUNTIME_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(14),
  /** Hours between scheduled backups taken by the jobs process (unset: off). docs/production.md, "Backups". */
  BACKUP_INTERVAL_HOURS: z.coerce.number().int().min(1).max(24 * 31).optional(),
  /** Folder scheduled backups go to (unset: <DATA_DIR>/backups). */
  BACKUP_DIR: z.string().optional(),
  /** age public keys (age1…, comma-separated) backups are encrypted to (src/backup/backup-keys.ts). */
  BACKUP_RECIPIENTS: z.string().optional(),
  /** How many scheduled backups to keep; older ones are deleted after each new one. */
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(14),
  /** Put APP_SECRET inside the encrypted backup, so a restore can read encrypted columns (off: keep it elsewhere). */
  BACKUP_INCLUDE_APP_SECRET: boolish.default(true),
  /** Seconds between re-checks of the sessions behind open live streams (when a session.revoked message is lost, and for expiry). */
  LIVE_SESSION_RECHECK_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  TRAEFIK_CERT_RESOLVER: z.string().regex(/^[A-Za-z0-9_-]+$/).default("letsencrypt"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATA_DIR: z.string().default(".data"),
  SAMPLE_REPO_URL: z.string().regex(/^file:\/\//, "must be a file:// URL").optional(),
  /** Check an app's repository and branch with `git ls-remote` before it is saved (off: a control plane that cannot reach the git hosts its workers can). */
  REPO_CHECK_ENABLED: boolish.default(true),
  /** Seconds `git ls-remote` may take when an app's repository is checked before it is saved (src/server/git/repo-reachability.ts). */
  REPO_CHECK_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(20),
  /** Port of the development ingress `npm start` runs (src/dev-ingress/); taken: a free one. */
  DEV_INGRESS_PORT: port.default(3080),
  /** Where the development ingress answers (set by the launcher): app links become http://<slug>.localhost:<port>. */
  DEV_INGRESS_URL: optionalUrl,
});

export type RawEnv = z.infer<typeof envSchema> & {
  /**
   * NODE_ENV or WH_ENV was set. NODE_ENV defaults to development, but development-only tools
   * that expose data (the mail catcher) need the mode said out loud, never inferred from nothing.
   */
  modeDeclared: boolean;
};

/** Secrets a production process cannot run without. */
export const PRODUCTION_REQUIRED = [
  "DATABASE_URL",
  "APP_SECRET",
  "WORKER_REGISTRATION_TOKEN",
  "TRAEFIK_PROXY_TOKEN",
] as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment (after the credentials overlay); throws ConfigError naming each bad variable. */
export function parseEnv(source: Record<string, string | undefined>): RawEnv {
  const cleaned = Object.fromEntries(
    Object.entries(overlayCredentials(source)).filter(([, v]) => v !== undefined && v !== ""),
  );
  // WH_ENV is the platform's own mode when it must differ from NODE_ENV: the launcher runs
  // `next start` (which wants NODE_ENV=production) for a development setup.
  const modeDeclared = Boolean(cleaned.WH_ENV || cleaned.NODE_ENV);
  if (cleaned.WH_ENV) cleaned.NODE_ENV = cleaned.WH_ENV;
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join(".") || "(environment)"}: ${issue.message}`),
    );
  }
  const env = { ...result.data, modeDeclared };
  if (env.NODE_ENV === "production") {
    const missing = PRODUCTION_REQUIRED.filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new ConfigError(
        missing.map(
          (name) =>
            `${name}: required in production (set it in the environment or in $CREDENTIALS_DIRECTORY/${name.toLowerCase()})`,
        ),
      );
    }
  }
  return env;
}
