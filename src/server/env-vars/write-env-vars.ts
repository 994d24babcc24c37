import type { SecretCipher } from "../crypto/secret-cipher";
import { cipherContext } from "../crypto/secret-cipher";
import { validation } from "../errors/domain-errors";
import type { Tx } from "../apps/app-access";
import { ENV_COUNT_MAX, ENV_TOTAL_MAX_BYTES, type EnvEntry } from "./env-var-rules";

export { envEntryInput } from "./env-var-rules";

/**
 * Upserts env vars (values encrypted and bound to app + key) and checks the app's totals after
 * the write, inside the caller's transaction, so an over-limit batch leaves nothing behind.
 */
export async function writeEnvVars(tx: Tx, cipher: SecretCipher, appId: number, entries: EnvEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const seen = new Set<string>();
  for (const { key } of entries) {
    if (seen.has(key)) throw validation(`${key} is set twice; keep one value per key.`, { field: "env", key });
    seen.add(key);
  }
  for (const { key, value } of entries) {
    const stored = cipher.encrypt(value, cipherContext.envVar(appId, key));
    await tx.appEnvVar.upsert({
      where: { appId_key: { appId, key } },
      create: { appId, key, value: stored },
      update: { value: stored },
    });
  }
  await assertEnvTotals(tx, cipher, appId);
}

export async function assertEnvTotals(tx: Tx, cipher: SecretCipher, appId: number): Promise<void> {
  const rows = await tx.appEnvVar.findMany({ where: { appId }, select: { key: true, value: true } });
  if (rows.length > ENV_COUNT_MAX) {
    throw validation(`An app can have at most ${ENV_COUNT_MAX} env vars (this change would make ${rows.length}).`);
  }
  let total = 0;
  for (const row of rows) {
    total += Buffer.byteLength(row.key, "utf8") + Buffer.byteLength(cipher.decrypt(row.value, cipherContext.envVar(appId, row.key)), "utf8");
  }
  if (total > ENV_TOTAL_MAX_BYTES) {
    throw validation(`Env vars of one app may total at most ${ENV_TOTAL_MAX_BYTES / 1024} KiB (this change would make ${Math.ceil(total / 1024)} KiB).`);
  }
}
