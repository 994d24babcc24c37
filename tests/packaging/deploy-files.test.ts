import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * Issue 17 items 2 and 3: deploy/compose.yaml parses with docker-compose 1.29 (what Debian ships;
 * .ci/run installs it) and has the services, order and secrets the docs promise; deploy/traefik
 * passes Traefik's published schemas; the systemd units pass `systemd-analyze verify` and carry
 * every secret as a credential and the hardening.
 */
const root = process.cwd();
const scratch = mkdtempSync(join(tmpdir(), "wh-deploy-files-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SECRETS = ["app_secret", "database_url", "postgres_password", "worker_registration_token", "traefik_proxy_token", "smtp_url"];

function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(argv[0]!, argv.slice(1), { cwd, env, encoding: "utf8", timeout: 60_000 });
  if (result.error) throw new Error(`${argv[0]} could not run (${result.error.message}); .ci/run installs it (apt-get install ${argv[0]})`);
  return result;
}

/** A copy of deploy/ with .env from the template and a file per secret, as docs/production.md sets it up. */
function deployCopy(): string {
  const dir = mkdtempSync(join(scratch, "deploy-"));
  cpSync(join(root, "deploy"), join(dir, "deploy"), { recursive: true });
  writeFileSync(join(dir, "Containerfile"), readFileSync(join(root, "Containerfile")));
  cpSync(join(dir, "deploy", "env.example"), join(dir, "deploy", ".env"));
  mkdirSync(join(dir, "deploy", "secrets"));
  for (const name of SECRETS) writeFileSync(join(dir, "deploy", "secrets", name), `${name}-value-0123456789abcdef0123456789\n`);
  return join(dir, "deploy");
}

describe("deploy/compose.yaml", () => {
  it("parses with docker-compose config into the promised stack", () => {
    const dir = deployCopy();
    const result = run(["docker-compose", "-p", "wisehosting", "config"], dir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const config = parse(result.stdout) as { services: Record<string, Record<string, unknown>>; secrets: Record<string, unknown>; volumes: Record<string, unknown> };
    expect(Object.keys(config.services).sort()).toEqual(["hub", "jobs", "migrate", "postgres", "redis", "traefik", "web"]);
    expect(config.services.redis!.profiles).toEqual(["redis"]);
    for (const role of ["migrate", "web", "jobs", "hub"]) {
      const service = config.services[role]!;
      expect(service.command).toEqual([role]);
      expect(service.image).toBe("localhost/wisehosting/platform:latest");
      expect(service.read_only).toBe(true);
      expect(service.cap_drop).toEqual(["ALL"]);
      expect((service.secrets as { source: string }[]).map((s) => s.source).sort()).toEqual(["app_secret", "database_url", "smtp_url", "traefik_proxy_token", "worker_registration_token"]);
      const env = service.environment as Record<string, string>;
      expect(env.CREDENTIALS_DIRECTORY).toBe("/run/secrets");
      expect(env.NODE_ENV).toBe("production");
      expect(env.APP_SECRET).toBeUndefined();
      expect(env.PUBLIC_URL).toBe("https://dashboard.example.com");
    }
    expect(config.services.migrate!.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    for (const role of ["web", "jobs", "hub"]) expect(config.services[role]!.depends_on).toEqual({ migrate: { condition: "service_completed_successfully" } });
    expect(config.services.migrate!.restart).toBe("no");
    expect(config.services.traefik!.ports).toEqual(expect.arrayContaining([expect.objectContaining({ target: 443 }), expect.objectContaining({ target: 80 })]));
    expect(Object.keys(config.secrets).sort()).toEqual([...SECRETS].sort());
    // The proxy token reaches Traefik as a secret file, never as a variable.
    expect(JSON.stringify(config.services.traefik)).not.toMatch(/traefik_proxy_token-value/);
  });

  it("keeps the operator's secrets and .env out of git", () => {
    const result = run(["git", "check-ignore", "--no-index", "deploy/secrets/app_secret", "deploy/secrets/database_url", "deploy/.env"], root);
    expect(result.stdout.trim().split("\n")).toEqual(["deploy/secrets/app_secret", "deploy/secrets/database_url", "deploy/.env"]);
  });

  it("refuses to render without the hosts, naming the variable", () => {
    const dir = deployCopy();
    writeFileSync(join(dir, ".env"), readFileSync(join(dir, ".env"), "utf8").replace(/^DASHBOARD_HOST=.*$/m, ""));
    const result = run(["docker-compose", "-p", "wisehosting", "config"], dir);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/set DASHBOARD_HOST in \.env/);
  });
});

describe("deploy/traefik", () => {
  const ajv = new Ajv({ strict: false, allErrors: true });

  it("the static configuration passes Traefik v3's published schema and polls the hub with the proxy token", () => {
    const validate = ajv.compile(JSON.parse(readFileSync(join(root, "schemas/traefik-v3-static.json"), "utf8")));
    const config = parse(readFileSync(join(root, "deploy/traefik/traefik.yml"), "utf8")) as {
      providers: { http: { endpoint: string; headers: Record<string, string> } };
      entryPoints: Record<string, unknown>;
      certificatesResolvers: { letsencrypt: { acme: { httpChallenge: { entryPoint: string } } } };
    };
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(config.providers.http.endpoint).toBe("http://hub:3001/v1/traefik/proxy-config");
    expect(config.providers.http.headers.Authorization).toBe("Bearer __TRAEFIK_PROXY_TOKEN__");
    // The entry points and resolver the hub's routers name (src/server/traefik/proxy-traefik-config.ts).
    expect(Object.keys(config.entryPoints).sort()).toEqual(["web", "websecure"]);
    expect(config.certificatesResolvers.letsencrypt.acme.httpChallenge.entryPoint).toBe("web");
    // A schema that accepted anything would prove nothing.
    expect(validate({ ...config, entryPoints: { web: { adress: ":80" } } })).toBe(false);
  });

  it("the dashboard and hub routes pass the file-provider schema", () => {
    const validate = ajv.compile(JSON.parse(readFileSync(join(root, "schemas/traefik-v3-file-provider.json"), "utf8")));
    for (const name of readdirSync(join(root, "deploy/traefik/dynamic"))) {
      const text = readFileSync(join(root, "deploy/traefik/dynamic", name), "utf8").replace(/\{\{ env "(\w+)" \}\}/g, (_, v: string) => `${v.toLowerCase()}.example.com`);
      const config = parse(text) as { http: { routers: Record<string, { rule: string }> } };
      expect(validate(config), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(config.http.routers.dashboard!.rule).toBe("Host(`dashboard_host.example.com`)");
    }
  });
});

describe("deploy/systemd", () => {
  const units = readdirSync(join(root, "deploy/systemd")).filter((n) => n.endsWith(".service"));

  it("has web, jobs, hub, agent and the one-shot migrate", () => {
    expect(units.sort()).toEqual(["wisehosting-agent.service", "wisehosting-hub.service", "wisehosting-jobs.service", "wisehosting-migrate.service", "wisehosting-web.service"]);
  });

  it("every unit passes systemd-analyze verify", () => {
    // The units name /opt/wisehosting and /etc/wisehosting; verify checks that ExecStart exists, so
    // point them at this checkout and a scratch folder.
    const dir = mkdtempSync(join(scratch, "units-"));
    for (const name of units) {
      const text = readFileSync(join(root, "deploy/systemd", name), "utf8").replaceAll("/opt/wisehosting", root).replaceAll("/etc/wisehosting", dir);
      writeFileSync(join(dir, name), text);
    }
    const result = run(["systemd-analyze", "verify", "--man=no", ...units.map((n) => join(dir, n))], dir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    // The check is real: an unknown key is reported.
    writeFileSync(join(dir, "broken.service"), "[Service]\nExecStart=/bin/true\nProtectSystemm=strict\n");
    expect(run(["systemd-analyze", "verify", "--man=no", join(dir, "broken.service")], dir).stderr).toMatch(/Unknown key 'ProtectSystemm'/);
  });

  it("hands every secret over with LoadCredential= and hardens each unit", () => {
    for (const name of units) {
      const text = readFileSync(join(root, "deploy/systemd", name), "utf8");
      const credentials = [...text.matchAll(/^LoadCredential=(\w+):/gm)].map((m) => m[1]);
      if (name === "wisehosting-agent.service") {
        expect(credentials.sort()).toEqual(["worker_api_key", "worker_registration_token"]);
        expect(text).toMatch(/^User=wisehosting-agent$/m);
      } else {
        expect(credentials.sort()).toEqual(["app_secret", "database_url", "smtp_url", "traefik_proxy_token", "worker_registration_token"]);
        expect(text).toMatch(/^DynamicUser=yes$/m);
      }
      for (const directive of ["NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=strict"]) expect(text, `${name}: ${directive}`).toMatch(new RegExp(`^${directive}$`, "m"));
      expect(text).toMatch(/^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6/m);
      expect(text).not.toMatch(/^Environment=.*(SECRET|TOKEN|PASSWORD|API_KEY)=/m);
      if (name !== "wisehosting-migrate.service") expect(text).toMatch(/^Restart=always$/m);
    }
    expect(readFileSync(join(root, "deploy/systemd/wisehosting-web.service"), "utf8")).toMatch(/^Requires=wisehosting-migrate.service$/m);
    expect(readFileSync(join(root, "deploy/systemd/wisehosting-migrate.service"), "utf8")).toMatch(/^Type=oneshot$/m);
  });
});
