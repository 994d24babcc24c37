import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../tests/helpers/free-port";
import { startPlatform } from "../../src/launcher/platform";
import { startTestOidcProvider } from "./oidc-provider";
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
  // Reserved ports (tests/helpers/free-port.ts): the web port is bound only after the dashboard
  // build and the DNS port by a spec, minutes from now; nothing else may take them meanwhile.
  const [webPort, hubPort, pgPort] = [await freePort(), await freePort(), await freePort()];
  // Custom-domain checks ask a DNS server the app specs start on this port (e2e/apps.spec.ts).
  const dnsPort = await freePort();
  // A real OpenID provider stands in for Google (e2e/accounts.spec.ts).
  const oidc = await startTestOidcProvider(await freePort(), `http://localhost:${webPort}/api/auth/oidc/callback`);
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
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID: oidc.clientId,
      OIDC_CLIENT_SECRET: oidc.clientSecret,
      // The e2e webhook receivers listen on loopback, which the SSRF guard refuses by default.
      WEBHOOK_ALLOW_CIDRS: "127.0.0.1/32",
      TRUST_PROXY: "loopback",
      // e2e/journey.spec.ts signs up with this address, confirms it from the mailed link (only a
      // confirmed address becomes admin) and opens the admin workers page.
      ADMIN_EMAILS: "journey@example.com",
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
    WH_E2E_OIDC_ISSUER: oidc.issuer,
    WH_E2E_DNS_PORT: String(dnsPort),
    WH_E2E_WORKER_REGISTRATION_TOKEN: platform.env.WORKER_REGISTRATION_TOKEN ?? "",
    WH_E2E_TRAEFIK_PROXY_TOKEN: platform.env.TRAEFIK_PROXY_TOKEN ?? "",
    // The one-time token that makes the first administrator (e2e/accounts.spec.ts uses it).
    WH_E2E_SETUP_TOKEN: platform.setupToken ?? "",
    // AGENT_RUNTIME (and DOCKER_HOST for the launcher's Podman service): an agent the journey
    // starts again runs apps the way the launcher's did (e2e/journey/local-agent.ts).
    WH_E2E_AGENT_ENV: JSON.stringify(platform.agentRuntime?.agentEnv ?? {}),
  });
  process.stdout.write(`[e2e] the local agent runs apps as ${platform.agentRuntime?.summary ?? "(no agent)"}\n`);
  return async () => {
    // e2e/journey.spec.ts stops the platform's agent and starts another on the same state dir. It
    // goes first: it stops its apps' containers through the engine service platform.stop() ends.
    await stopLeftoverAgent(join(dataDir, "agent", "agent.pid"));
    await platform.stop();
    await oidc.stop();
    await smtp.stop();
    if (process.env.WH_E2E_KEEP_DATA !== "1") rmSync(dataDir, { recursive: true, force: true });
  };
}

async function stopLeftoverAgent(pidFile: string): Promise<void> {
  const pid = Number(existsSync(pidFile) ? readFileSync(pidFile, "utf8").trim() : "");
  if (!Number.isInteger(pid) || pid <= 0) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 200));
  if (alive()) process.kill(pid, "SIGKILL");
}
