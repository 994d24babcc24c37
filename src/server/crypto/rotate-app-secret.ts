import pg from "pg";
import { ENCRYPTED_COLUMNS } from "./encrypted-columns";
import { DecryptionError, SecretCipher } from "./secret-cipher";

export class RotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RotationError";
  }
}

export interface RotationResult {
  /** Values re-encrypted, per `table.column`. */
  reencrypted: Record<string, number>;
  /** Sessions ended: their cookies were sealed with the old secret. */
  sessionsEnded: number;
}

/** A platform process seen this recently is taken to be running (src/server/status heartbeats). */
const LIVE_PROCESS_SECONDS = 30;

/**
 * Re-encrypts every encrypted column (src/server/crypto/encrypted-columns.ts) from `oldSecret`
 * to `newSecret` in one transaction, and ends every session, whose cookie the old secret sealed.
 * All or nothing: a value the old secret cannot decrypt (a wrong old secret) rolls everything
 * back and names the row. The platform's processes must be stopped, or a value they write with
 * the old secret during the rotation would be lost to the new one; `force` skips that check.
 * Used by scripts/rotate-app-secret.ts (docs/production.md, "Key rotation").
 */
export async function rotateAppSecret(options: { databaseUrl: string; oldSecret: string; newSecret: string; force?: boolean }): Promise<RotationResult> {
  if (options.newSecret.length < 32) throw new RotationError("The new APP_SECRET must be at least 32 characters (e.g. `openssl rand -base64 48`).");
  if (options.newSecret === options.oldSecret) throw new RotationError("The new APP_SECRET is the current one; generate a new one.");
  const from = new SecretCipher(options.oldSecret);
  const to = new SecretCipher(options.newSecret);
  const client = new pg.Client({ connectionString: options.databaseUrl, application_name: "wisehosting-rotate-app-secret" });
  await client.connect();
  try {
    if (!options.force) await refuseWhileRunning(client);
    await client.query("BEGIN ISOLATION LEVEL SERIALIZABLE");
    const reencrypted: Record<string, number> = {};
    for (const col of ENCRYPTED_COLUMNS) {
      const select = ["id", col.column, ...col.keys].map((c) => `"${c}"`).join(", ");
      const { rows } = await client.query(`SELECT ${select} FROM "${col.table}" WHERE "${col.column}" LIKE 'v1:%' FOR UPDATE`);
      for (const row of rows) {
        const context = col.context(row);
        let plain: string;
        try {
          plain = from.decrypt(String(row[col.column]), context);
        } catch (err) {
          if (!(err instanceof DecryptionError)) throw err;
          throw new RotationError(
            `${col.table}.${col.column} of row ${row.id} does not decrypt with the current APP_SECRET (${err.message}). ` +
              "Nothing was changed. Check that the processes' APP_SECRET is the one this command read.",
          );
        }
        await client.query(`UPDATE "${col.table}" SET "${col.column}" = $1 WHERE id = $2`, [to.encrypt(plain, context), row.id]);
      }
      reencrypted[`${col.table}.${col.column}`] = rows.length;
    }
    const ended = await client.query("DELETE FROM sessions");
    await client.query("COMMIT");
    return { reencrypted, sessionsEnded: ended.rowCount ?? 0 };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

async function refuseWhileRunning(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ kind: string; hostname: string; pid: number }>(
    `SELECT kind, hostname, pid FROM process_heartbeats WHERE kind <> 'agent' AND last_seen_at > now() - make_interval(secs => $1)`,
    [LIVE_PROCESS_SECONDS],
  );
  if (rows.length === 0) return;
  const names = rows.map((r) => `${r.kind} (pid ${r.pid} on ${r.hostname || "?"})`).join(", ");
  throw new RotationError(
    `Platform processes are running: ${names}. Stop web, jobs and hub first (a value written with the old secret during the rotation would be unreadable), ` +
      `then run this again; or pass --force if those heartbeats are stale.`,
  );
}
