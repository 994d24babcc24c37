/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the running embedded Postgres). */
import { ConfigError } from "../src/server/config/env";
import { loadConfig } from "../src/server/config/config";
import { migrate, MigrationError } from "../src/server/db/migrator";

try {
  const config = loadConfig();
  const result = await migrate(config.DATABASE_URL, { log: (m) => console.log(m) });
  console.log(
    result.applied.length > 0
      ? `Applied ${result.applied.length} migration(s): ${result.applied.join(", ")}`
      : `Database schema is up to date (${result.alreadyApplied} migrations applied earlier).`,
  );
} catch (err) {
  if (err instanceof ConfigError || err instanceof MigrationError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
