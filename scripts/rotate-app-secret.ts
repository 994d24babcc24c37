/**
 * `npm run rotate-app-secret -- --new-secret-file FILE [--force]`: re-encrypts every encrypted
 * column from the current APP_SECRET (as the processes read it: the environment, a credentials
 * file or the development secrets) to the one in FILE, and ends every session
 * (src/server/crypto/rotate-app-secret.ts; docs/production.md, "Key rotation").
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/server/config/config";
import { ConfigError } from "../src/server/config/env";
import { rotateAppSecret, RotationError } from "../src/server/crypto/rotate-app-secret";

const { values } = parseArgs({ options: { "new-secret-file": { type: "string" }, force: { type: "boolean", default: false } } });

try {
  const file = values["new-secret-file"];
  if (!file) throw new RotationError("Usage: npm run rotate-app-secret -- --new-secret-file FILE [--force] (FILE holds the new secret, e.g. from `openssl rand -base64 48`).");
  let newSecret: string;
  try {
    newSecret = readFileSync(file, "utf8").trim();
  } catch (err) {
    throw new RotationError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  const config = loadConfig();
  const result = await rotateAppSecret({ databaseUrl: config.DATABASE_URL, oldSecret: config.APP_SECRET, newSecret, force: values.force });
  const total = Object.values(result.reencrypted).reduce((a, b) => a + b, 0);
  console.log(
    `Re-encrypted ${total} value(s) (${Object.entries(result.reencrypted)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}) and ended ${result.sessionsEnded} session(s).\n` +
      `Now put the new secret where the processes read APP_SECRET (the app_secret credential file, or APP_SECRET) ` +
      `and start web, jobs and hub. Users sign in again; workers reconnect with their API keys. ` +
      `Backups made before today hold the old secret: keep it with them.`,
  );
} catch (err) {
  if (err instanceof ConfigError || err instanceof RotationError) {
    console.error(`rotate-app-secret: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
