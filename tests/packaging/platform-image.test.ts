import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpSink } from "../../e2e/support/smtp-sink";
import { resolveRegistrySettings } from "../../src/agent/config/registry-settings";
import { ensureBaseImage, LOCAL_BASE_IMAGE } from "../../src/agent/runtime/container/base-image";
import { openEngine } from "../../src/agent/runtime/container/open-engine";
import { ensureSampleRepository } from "../../src/sample-repo/ensure-sample-repository";
import { buildPlatformImage } from "../../deploy/image/build-platform-image";
import { DashboardUser } from "../faults/support/dashboard-user";
import { killLeftovers } from "../faults/support/leftover-processes";
import { ServiceProcess } from "../faults/support/service-process";
import { freePort } from "../helpers/free-port";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { PlatformContainers, type ServingRole } from "./support/platform-containers";

/**
 * Issue 17's platform image (the repository's Containerfile), built and run here. It builds where
 * `npm ci` only reaches the registry with this machine's CA (SELF_SIGNED_CERT_IN_CHAIN otherwise):
 * the build gets npm's registry and trust settings as Podman build secrets
 * (deploy/image/build-platform-image.ts), and the image's history and config hold none of them.
 * Then the platform runs from it as deploy/compose.yaml runs it — migrate once, then web, jobs and
 * hub, each healthy by the image's own HEALTHCHECK — against a real, empty Postgres; a user signs
 * up through the web container's HTTP endpoints, an agent from this repository registers with the
 * hub container, and the sample app deploys, runs and answers. Heavy (npm ci and next build on 2
 * shared cores): run it alone under the machine's lock.
 */
const RUN = randomBytes(4).toString("hex");
const TAG = `localhost/wisehosting/platform-test:${RUN}`;
const GREETING = "Served from the platform image";
const EMAIL = "image@example.com";
const PASSWORD = "container-roles-pass-2026";
const AGENT_NAME = `image-agent-${RUN}`;

let tdb: TestDatabase;
let build: { output: string; lines: string[] };
const dir = mkdtempSync(join(tmpdir(), "wh-platform-image-"));
const containers = new PlatformContainers(TAG, `wh-pkg-${RUN}`, join(dir, "secrets"));
let agent: ServiceProcess | undefined;
let smtp: { stop(): Promise<void> } | undefined;
let buildLeftovers: string[] = [];

/** Untagged images with no child: what a multi-stage build leaves of its stages. */
function danglingImages(): string[] {
  return execFileSync("podman", ["images", "--quiet", "--no-trunc", "--filter", "dangling=true"], { encoding: "utf8" }).split("\n").filter(Boolean);
}

/** Polls `probe` every `everyMs` until it answers truthy; on a timeout, the containers' recent output says why. */
async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false>, everyMs = 500): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  const agentOut = agent ? `\n--- agent\n${agent.output().slice(-3_000)}` : "";
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}\n${await containers.allLogs()}${agentOut}`);
}

beforeAll(async () => {
  const session = await openEngine({ stateDir: "/tmp/wh-container-tests" });
  try {
    await ensureBaseImage({ engine: session.engine, image: LOCAL_BASE_IMAGE });
  } finally {
    await session.close();
  }
  const lines: string[] = [];
  const started = Date.now();
  const before = danglingImages();
  try {
    const built = await buildPlatformImage({ tag: TAG, nodeImage: LOCAL_BASE_IMAGE, onLine: (l) => lines.push(l) });
    build = { output: built.output, lines };
  } finally {
    // The build stage's image is left untagged (another one each run as the sources change); removing it removes its untagged parents too, the deps stage included, so every run's npm ci starts afresh.
    buildLeftovers = danglingImages().filter((id) => !before.includes(id));
  }
  process.stdout.write(`platform image built in ${Math.round((Date.now() - started) / 1000)} s\n`);
  tdb = await createTestDatabase({ migrated: false });
}, 900_000);

afterAll(async () => {
  await agent?.stop();
  await containers.removeAll();
  await smtp?.stop();
  spawnSync("podman", ["rmi", "--force", TAG, ...buildLeftovers], { stdio: "ignore" });
  await tdb?.drop();
  // The agent stops its apps on a clean stop (AGENT_STOP_APPS_ON_EXIT); anything still working in the folder was left behind.
  const leftBehind = killLeftovers(dir);
  rmSync(dir, { recursive: true, force: true });
  if (leftBehind.length > 0) throw new Error(`processes were left running (now killed): ${leftBehind.join(", ")}`);
}, 180_000);

describe("the platform image", () => {
  it("builds with the machine's registry settings as build secrets and keeps none of them; runs as its own user with a health check", () => {
    expect(build.output).toContain("npm ci --no-audit --no-fund");
    expect(build.lines[0]).toMatch(/^npm ci in the build: registry /);

    // Nothing of the settings in the image: neither the CA bundle's certificates nor the npmrc.
    const settings = resolveRegistrySettings({}, process.env);
    const caMarkers = settings.caFiles.flatMap((f) => readFileSync(f, "utf8").split("\n").filter((l) => /^[A-Za-z0-9+/]{64}$/.test(l)).slice(2, 3));
    const history = execFileSync("podman", ["history", "--no-trunc", TAG], { encoding: "utf8" });
    const inspect = execFileSync("podman", ["image", "inspect", TAG], { encoding: "utf8" });
    for (const marker of caMarkers) {
      expect(history).not.toContain(marker);
      expect(inspect).not.toContain(marker);
    }
    // The final stage's history: npm ci ran in the deps stage, whose layers the image does not keep.
    expect(history).toContain("ENTRYPOINT");
    expect(inspect).not.toContain("NODE_EXTRA_CA_CERTS");
    expect(inspect).not.toContain("NPM_CONFIG_USERCONFIG");
    const config = JSON.parse(inspect) as Array<{ Config: { User: string; Cmd: string[] } }>;
    expect(config[0]!.Config.User).toBe("10001:10001");
    expect(config[0]!.Config.Cmd).toEqual(["web"]);
    // --format docker keeps the HEALTHCHECK (Podman's inspect shows it outside Config).
    expect(history).toContain("HEALTHCHECK --interval=15s");
    const files = execFileSync("podman", ["run", "--rm", "--runtime", "runc", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096", "--entrypoint", "/bin/sh", TAG, "-c", "ls /run/wisehosting 2>&1; ls -a /root 2>&1; test -f .next/BUILD_ID && echo built"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(files).toContain("built");
    expect(files).not.toMatch(/npmrc|ca-bundle/);
  });

  it("runs migrate, then web, jobs and hub as compose does, each healthy; a user signs up and the sample app deploys through them", async () => {
    const [webPort, hubPort, smtpPort] = [await freePort(), await freePort(), await freePort()];
    const mailDir = join(dir, "mail");
    smtp = await startSmtpSink(mailDir, smtpPort);
    const secrets = {
      app_secret: randomBytes(32).toString("hex"),
      database_url: tdb.url,
      worker_registration_token: randomBytes(24).toString("hex"),
      traefik_proxy_token: randomBytes(24).toString("hex"),
      smtp_url: `smtp://127.0.0.1:${smtpPort}`,
    };
    containers.writeSecrets(secrets);
    const webUrl = `http://localhost:${webPort}`;
    const hubUrl = `http://127.0.0.1:${hubPort}`;
    const env = {
      // Host networking: loopback only, on ports of this run (compose binds 0.0.0.0 on its own network).
      BIND_HOST: "127.0.0.1",
      WEB_PORT: String(webPort),
      HUB_PORT: String(hubPort),
      // Plain http on a loopback host: the one place cookies may go without Secure (src/server/http/cookie-security.ts).
      PUBLIC_URL: webUrl,
      HUB_PUBLIC_URL: hubUrl,
      PLATFORM_DOMAIN: "apps.example.com",
      TRUST_PROXY: "loopback",
      // The sample app is a file:// repository on this machine; the image has no git, and the worker checks the repository when it clones.
      LOCAL_REPOS_ENABLED: "true",
      REPO_CHECK_ENABLED: "false",
      MAIL_FROM: "WiseHosting <no-reply@example.com>",
      LOG_LEVEL: "info",
    };

    const migrate = await containers.runOnce("migrate", env, 300_000);
    expect(migrate.status, migrate.output).toBe(0);
    expect(migrate.output).toMatch(/Applied \d+ migration\(s\)/);
    const tables = await tdb.db.$queryRawUnsafe<Array<{ n: bigint }>>("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'");
    expect(Number(tables[0]!.n)).toBeGreaterThan(10);

    const roles: ServingRole[] = ["hub", "jobs", "web"];
    for (const role of roles) await containers.start(role, env);
    // The image's HEALTHCHECK per role (deploy/image/healthcheck.mjs); tsx compiles on start, so minutes on a loaded box.
    for (const role of roles) await until(`the ${role} container's health check to pass`, 180_000, () => containers.healthy(role), 2_000);
    for (const role of roles) expect(await containers.inspect(role), role).toMatchObject({ running: true, health: "healthy" });

    // A person signs up and in through the web container, as the dashboard's pages do (tRPC over HTTP, session cookie).
    const user = new DashboardUser(webUrl, { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36", address: "198.51.100.7" });
    await user.signUpAndIn(EMAIL, PASSWORD);
    // The jobs container sent the verification mail over the SMTP secret.
    await until("the verification mail from the jobs container", 120_000, async () =>
      readdirSync(mailDir).some((f) => f.endsWith(".eml") && readFileSync(join(mailDir, f), "utf8").includes(EMAIL)),
    );

    // An agent from this repository (process runtime) registers with the hub container.
    mkdirSync(join(dir, "agent"), { recursive: true });
    agent = new ServiceProcess({
      name: "agent",
      command: process.execPath,
      args: ["--import", "tsx", "src/agent/main.ts"],
      cwd: process.cwd(),
      env: {
        NODE_ENV: "production",
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AGENT_HUB_URL: hubUrl,
        AGENT_NAME,
        AGENT_REGISTRATION_TOKEN: secrets.worker_registration_token,
        AGENT_STATE_DIR: join(dir, "agent"),
        AGENT_RUNTIME: "process",
        AGENT_HEARTBEAT_SECONDS: "2",
        AGENT_STOP_APPS_ON_EXIT: "true",
        LOG_LEVEL: "info",
      },
      ready: async () => (await tdb.db.worker.findUnique({ where: { name: AGENT_NAME } }))?.status === "online",
    });
    try {
      await agent.start(180_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${await containers.allLogs()}`);
    }

    const sampleRepoUrl = await ensureSampleRepository(join(dir, "sample-app"));
    const created = await user.trpc.apps.create.mutate({ repoUrl: sampleRepoUrl, deploy: true, env: [{ key: "GREETING", value: GREETING }] });
    const appId = created.app.id;
    const port = await until("the sample app to run and answer", 300_000, async () => {
      const app = await user.trpc.apps.get.query({ appId });
      const row = await tdb.db.app.findUniqueOrThrow({ where: { id: appId } });
      if (app.status !== "running" || !row.port) return null;
      const res = await fetch(`http://127.0.0.1:${row.port}/`, { signal: AbortSignal.timeout(5_000) });
      return res.ok && (await res.text()).includes(GREETING) ? row.port : null;
    });
    const deployment = await tdb.db.deployment.findFirstOrThrow({ where: { appId }, orderBy: { id: "desc" } });
    expect(deployment.status).toBe("succeeded");

    // Traefik's HTTP provider reads the route from the hub container, with the proxy token.
    const proxy = await fetch(`${hubUrl}/v1/traefik/proxy-config`, { headers: { authorization: `Bearer ${secrets.traefik_proxy_token}` } });
    expect(proxy.status).toBe(200);
    const routes = await proxy.text();
    expect(routes).toContain(`${created.app.subdomain}.apps.example.com`);
    expect(routes).toContain(`http://127.0.0.1:${port}`);

    // SIGTERM reaches each role as PID 1 (deploy/image/entrypoint.sh execs it) and its ordered shutdown ends cleanly.
    await agent.stop();
    agent = undefined;
    for (const role of ["web", "hub", "jobs"] as const) expect(await containers.stop(role), `${role} exit code\n${await containers.logs(role)}`).toBe(0);
  }, 900_000);
});
