import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isPortFree, freePort } from "../net/free-port";
import { PostgresServer } from "./postgres-server";

export const EMBEDDED_DATABASE = "wisehosting";

function embeddedPassword(dataDir: string): string {
  const file = join(dataDir, "embedded-postgres.json");
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as { password?: string };
    if (saved.password) return saved.password;
  }
  const password = randomBytes(18).toString("base64url");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ password }), { mode: 0o600 });
  return password;
}

/**
 * Starts the development database under <dataDir>/postgres (created on first start, reused after).
 * The preferred port is used when free; when something else (say a system Postgres) holds it, a
 * free port is chosen and reported.
 */
export async function startEmbeddedDatabase(options: {
  dataDir: string;
  preferredPort: number;
  note: (line: string) => void;
}): Promise<{ server: PostgresServer; url: string }> {
  let port = options.preferredPort;
  if (!(await isPortFree(port))) {
    port = await freePort();
    options.note(`port ${options.preferredPort} is already in use (another Postgres?); the embedded Postgres uses ${port} instead`);
  }
  const server = new PostgresServer({
    dataDir: join(options.dataDir, "postgres"),
    port,
    password: embeddedPassword(options.dataDir),
  });
  const fresh = !server.isInitialised();
  if (fresh) options.note("creating the embedded Postgres cluster (first start only)");
  await server.initialise();
  await server.start();
  await server.createDatabase(EMBEDDED_DATABASE);
  return { server, url: server.url(EMBEDDED_DATABASE) };
}
