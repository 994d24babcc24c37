import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRegistrySettings } from "../../src/agent/config/registry-settings";
import { ensureBaseImage, LOCAL_BASE_IMAGE } from "../../src/agent/runtime/container/base-image";
import { openEngine, type EngineSession } from "../../src/agent/runtime/container/open-engine";
import { buildPlatformImage } from "../../deploy/image/build-platform-image";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

/**
 * Issue 17's platform image (the repository's Containerfile) builds here, where `npm ci` only
 * reaches the registry with this machine's CA (SELF_SIGNED_CERT_IN_CHAIN otherwise): the build
 * gets npm's registry and trust settings as Podman build secrets (deploy/image/build-platform-image.ts),
 * the image's history and config hold none of them, and the image's `migrate` role applies every
 * migration to a real, empty Postgres database. Heavy (npm ci and next build on 2 shared cores):
 * run it alone under the machine's lock.
 */
const TAG = `localhost/wisehosting/platform-test:${randomBytes(4).toString("hex")}`;
let session: EngineSession | null = null;
let tdb: TestDatabase;

beforeAll(async () => {
  session = await openEngine({ stateDir: "/tmp/wh-container-tests" });
  await ensureBaseImage({ engine: session.engine, image: LOCAL_BASE_IMAGE });
  await session.close();
  session = null;
  tdb = await createTestDatabase({ migrated: false });
}, 600_000);

afterAll(async () => {
  spawnSync("podman", ["rmi", "--force", TAG], { encoding: "utf8" });
  await tdb?.drop();
  await session?.close();
}, 120_000);

describe("the platform image", () => {
  it("builds with the machine's registry settings as build secrets, keeps none of them, and its migrate role migrates a real database", async () => {
    const lines: string[] = [];
    const started = Date.now();
    const built = await buildPlatformImage({ tag: TAG, nodeImage: LOCAL_BASE_IMAGE, onLine: (l) => lines.push(l) });
    process.stdout.write(`platform image built in ${Math.round((Date.now() - started) / 1000)} s\n`);
    expect(built.output).toContain("npm ci --no-audit --no-fund");
    expect(lines[0]).toMatch(/^npm ci in the build: registry /);

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
    const files = execFileSync("podman", ["run", "--rm", "--runtime", "runc", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096", "--entrypoint", "/bin/sh", TAG, "-c", "ls /run/wisehosting 2>&1; ls -a /root 2>&1; test -f .next/BUILD_ID && echo built"], { encoding: "utf8" });
    expect(files).toContain("built");
    expect(files).not.toMatch(/npmrc|ca-bundle/);

    // The migrate role against a real Postgres on this machine's loopback (host network).
    const migrate = spawnSync(
      "podman",
      [
        "run", "--rm", "--runtime", "runc", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096", "--network", "host",
        "-e", `DATABASE_URL=${tdb.url}`,
        "-e", `APP_SECRET=${randomBytes(32).toString("hex")}`,
        "-e", `WORKER_REGISTRATION_TOKEN=${randomBytes(24).toString("hex")}`,
        "-e", `TRAEFIK_PROXY_TOKEN=${randomBytes(24).toString("hex")}`,
        "-e", "PUBLIC_URL=https://dashboard.example.com",
        TAG, "migrate",
      ],
      { encoding: "utf8", timeout: 300_000 },
    );
    expect(migrate.status, `${migrate.stdout}\n${migrate.stderr}`).toBe(0);
    expect(migrate.stdout).toMatch(/Applied \d+ migration\(s\)/);
    const tables = await tdb.db.$queryRawUnsafe<Array<{ n: bigint }>>("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'");
    expect(Number(tables[0]!.n)).toBeGreaterThan(10);
  }, 2_400_000);
});
