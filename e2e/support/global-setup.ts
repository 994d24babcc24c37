import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../src/launcher/free-port";
import { startPlatform } from "../../src/launcher/platform";
import { startSmtpSink } from "./smtp-sink";

/**
 * Starts everything the specs need, once: a real SMTP server receiving the platform's mail and
 * the whole platform (embedded Postgres, ws-hub, jobs, web, local agent) on free ports with a
 * throwaway data folder. Specs read the addresses from WH_E2E_* variables (e2e/support/fixtures.ts).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), "wh-e2e-"));
  chmodSync(dataDir, 0o755);
  const mailDir = join(dataDir, "mail");
  const smtp = await startSmtpSink(mailDir, await freePort());
  const [webPort, hubPort, pgPort] = [await freePort(), await freePort(), await freePort()];
  // Custom-domain checks ask a DNS server the app specs start on this port (e2e/apps.spec.ts).
  const dnsPort = await freePort();
  const verbose = process.env.WH_E2E_VERBOSE === "1";
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete (env as Record<string, string | undefined>).NODE_ENV;
  const platform = await startPlatform({
    root: process.cwd(),
    env: {
      ...env,
      WH_ENV: "development",
      DATA_DIR: dataDir,
      WEB_PORT: String(webPort),
      HUB_PORT: String(hubPort),
      EMBEDDED_PG_PORT: String(pgPort),
      PUBLIC_URL: `http://localhost:${webPort}`,
      SMTP_URL: smtp.url,
      TRUST_PROXY: "loopback",
      DNS_RESOLVER: `127.0.0.1:${dnsPort}`,
      NEXT_DIST_DIR: process.env.NEXT_DIST_DIR ?? ".next-e2e",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      ...(process.env.DATABASE_URL ? {} : { DATABASE_URL: "" }),
    },
    write: (name, line) => {
      if (verbose || name === "launcher") process.stdout.write(`[${name}] ${line}\n`);
    },
  });
  Object.assign(process.env, {
    WH_E2E_BASE_URL: platform.webUrl,
    WH_E2E_HUB_URL: platform.hubUrl,
    WH_E2E_DATABASE_URL: platform.databaseUrl,
    WH_E2E_DATA_DIR: dataDir,
    WH_E2E_MAIL_DIR: mailDir,
    WH_E2E_DNS_PORT: String(dnsPort),
    WH_E2E_WORKER_REGISTRATION_TOKEN: platform.env.WORKER_REGISTRATION_TOKEN ?? "",
    WH_E2E_TRAEFIK_PROXY_TOKEN: platform.env.TRAEFIK_PROXY_TOKEN ?? "",
  });
  return async () => {
    await platform.stop();
    await smtp.stop();
    if (process.env.WH_E2E_KEEP_DATA !== "1") rmSync(dataDir, { recursive: true, force: true });
  };
}
