import { cipherContext } from "./secret-cipher";

/**
 * Every column the platform encrypts under APP_SECRET (src/server/crypto/secret-cipher.ts), with
 * the associated data each value is bound to. The APP_SECRET rotation
 * (src/server/crypto/rotate-app-secret.ts) re-encrypts exactly these; a new encrypted column
 * belongs here, or the rotation would leave it unreadable.
 */
export interface EncryptedColumn {
  table: string;
  column: string;
  /** Columns the context is computed from (besides `id`). */
  keys: string[];
  context(row: Record<string, unknown>): string;
}

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  { table: "app_env_vars", column: "value", keys: ["app_id", "key"], context: (r) => cipherContext.envVar(Number(r.app_id), String(r.key)) },
  { table: "jobs", column: "payload", keys: ["app_id"], context: (r) => cipherContext.jobPayload(Number(r.app_id)) },
  { table: "git_provider_tokens", column: "token", keys: ["user_id", "provider"], context: (r) => cipherContext.gitToken(Number(r.user_id), String(r.provider)) },
  {
    table: "git_provider_tokens",
    column: "refresh_token",
    keys: ["user_id", "provider"],
    context: (r) => `${cipherContext.gitToken(Number(r.user_id), String(r.provider))}:refresh`,
  },
  { table: "users", column: "totp_secret", keys: [], context: (r) => cipherContext.totpSecret(Number(r.id)) },
  { table: "webhooks", column: "secret", keys: ["user_id"], context: (r) => cipherContext.webhookSecret(Number(r.user_id)) },
  { table: "apps", column: "webhook_secret", keys: [], context: (r) => cipherContext.appWebhookSecret(Number(r.id)) },
];
