import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { migrate } from "../../src/server/db/migrator";
import { freePort } from "../../src/net/free-port";
import { PostgresServer } from "../../src/launcher/postgres-server";

/**
 * One embedded Postgres for the whole run, with a migrated template database. Each test file
 * clones the template (tests/helpers/test-db.ts), so files run in parallel in isolation.
 */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), "wh-test-pg-"));
  const server = new PostgresServer({ dataDir, port: await freePort() });
  await server.initialise();
  await server.start();
  await server.createDatabase("wh_template");
  await migrate(server.url("wh_template"));
  project.provide("pgAdminUrl", server.url());
  project.provide("pgTemplate", "wh_template");
  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}
