import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRegistrySettings, type RegistryOverrides } from "../../src/agent/config/registry-settings";
import { inspectContainer, removeContainer, runAppContainer } from "../../src/agent/runtime/container/app-container";
import { containerBuildSettingsSchema } from "../../src/agent/runtime/container/build-plan";
import { buildAppImage, ImageBuildError, type ImageBuildRequest } from "../../src/agent/runtime/container/image-build";
import { freePort } from "../../src/net/free-port";
import { closedPort, hostAddress, packFixturePackage, selfSignedCert, startRegistryStub, type RegistryStub } from "../agent/support/registry-stub";
import { eventually, httpGet, nextApp, openContainerFixture, writeApp, type ContainerFixture } from "./support/container-fixture";

/**
 * The worker's registry settings reach container builds as build-time secrets and nothing else
 * (src/agent/runtime/container/build-secrets.ts): a private TLS registry with its own CA and a
 * token serves a package to `npm install` in the build, and afterwards neither the token nor the
 * CA is in the image (history, config, every layer's bytes) or in the running app (its env, its
 * files). Build steps run in their own network namespace (build-network.ts). The stub listens on
 * the host's own address, which a build container reaches through the engine's NAT.
 */
let fixture: ContainerFixture;
let stub: RegistryStub;
let cert: ReturnType<typeof selfSignedCert>;
let hostIp: string;
const TOKEN = "private-registry-token-5f0c2a9e1b7d";

/** Settings as the agent resolves them from flags alone (no machine npmrc or environment defaults). */
function registry(overrides: RegistryOverrides) {
  return resolveRegistrySettings({ fetchRetries: 0, fetchTimeoutSeconds: 20, ...overrides }, { PATH: process.env.PATH }, { values: {}, origin: {} });
}

function request(checkout: string, overrides: Partial<ImageBuildRequest> = {}) {
  const lines: string[] = [];
  const req: ImageBuildRequest = {
    engine: fixture.engine,
    checkout,
    settings: containerBuildSettingsSchema.parse({}),
    app: nextApp(fixture),
    internalPort: 8080,
    baseImage: fixture.baseImage,
    limits: { cpu: 1, memoryMb: 1024 },
    timeoutMs: 180_000,
    onLine: (l) => lines.push(l),
    ...overrides,
  };
  return { req, lines };
}

/** Every byte of the image as the engine exports it (GET /images/{name}/get: config and layer tars). */
async function imageBytes(image: string): Promise<Buffer> {
  const stream = await fixture.engine.docker.getImage(image).get();
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  fixture = await openContainerFixture("trust");
  hostIp = hostAddress();
  cert = selfSignedCert(fixture.scratch, hostIp);
  stub = await startRegistryStub({
    name: "wh-private-dep",
    version: "1.0.0",
    tarball: packFixturePackage("wh-private-dep", "1.0.0", fixture.scratch),
    tls: cert,
    token: TOKEN,
    host: hostIp,
  });
}, 600_000);

afterAll(async () => {
  await stub?.close();
  await fixture?.cleanup();
}, 120_000);

describe("registry settings in container builds", () => {
  it("install from a private TLS registry with the worker's CA and token, and neither reaches the image or the running app", async () => {
    const dir = writeApp(fixture, "private-dep", {
      "package.json": JSON.stringify({ name: "private-dep-app", version: "1.0.0", dependencies: { "wh-private-dep": "1.0.0" }, scripts: { start: "node server.js" } }),
      "server.js": `const fs = require("node:fs");
        const list = (d) => { try { return fs.readdirSync(d); } catch (e) { return e.code; } };
        require("node:http").createServer((q, s) => s.end(JSON.stringify({
          dep: require("wh-private-dep"),
          environ: fs.readFileSync("/proc/self/environ", "utf8"),
          secretsDir: list("/run/wisehosting"),
          yarnrc: fs.existsSync("/tmp/.yarnrc"),
          npmrcs: ["/app/.npmrc", "/tmp/.npmrc", "/root/.npmrc"].filter((f) => fs.existsSync(f)),
        }))).listen(Number(process.env.PORT));`,
    });
    const settings = registry({ npmRegistry: stub.url, caFiles: [cert.certFile], npmToken: TOKEN });
    const { req, lines } = request(dir, { registry: settings });
    const result = await buildAppImage(req);

    expect(lines).toContain(`Package registry: registry ${stub.url} · CA files ${cert.certFile} · no proxy · registry token set`);
    expect(result.containerfile).toContain("--mount=type=secret,id=wh-npmrc,target=/run/wisehosting/npmrc");
    expect(stub.requests.some((r) => r.url === "/wh-private-dep" && r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(lines.join("\n")).not.toContain(TOKEN);

    // A piece of the CA's body: wherever the bundle was copied, this would be in the bytes.
    const caMarker = cert.cert.split("\n")[5]!;
    expect(caMarker.length).toBeGreaterThan(40);
    const history = JSON.stringify(await fixture.engine.docker.getImage(result.image).history());
    expect(history).not.toContain(TOKEN);
    expect(history).not.toContain(caMarker);
    const config = await fixture.engine.docker.getImage(result.image).inspect();
    const env = (config.Config.Env ?? []).join("\n");
    for (const leaked of [TOKEN, "NPM_CONFIG_USERCONFIG", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "/run/wisehosting"]) expect(env).not.toContain(leaked);
    const bytes = await imageBytes(result.image);
    // The export holds the installed package's own file, so a search of it sees layer contents.
    expect(bytes.includes('module.exports = "from wh-private-dep"')).toBe(true);
    expect(bytes.includes(TOKEN)).toBe(false);
    expect(bytes.includes(caMarker)).toBe(false);

    const hostPort = await freePort();
    const { id } = await runAppContainer(fixture.engine, {
      app: req.app,
      image: result.image,
      internalPort: 8080,
      hostIp: "127.0.0.1",
      hostPort,
      env: {},
      limits: { cpu: 0.5, memoryMb: 256, pids: 128 },
      readOnlyRootfs: result.readOnlyRootfs,
    });
    try {
      const res = await eventually(() => httpGet(hostPort), 60_000, "the app to answer");
      const seen = JSON.parse(res.body) as { dep: string; environ: string; secretsDir: string[] | string; yarnrc: boolean; npmrcs: string[] };
      expect(seen.dep).toBe("from wh-private-dep");
      for (const leaked of [TOKEN, "NPM_CONFIG_USERCONFIG", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "COREPACK_NPM_TOKEN", "wisehosting/npmrc"]) expect(seen.environ).not.toContain(leaked);
      expect(seen.secretsDir === "ENOENT" || (Array.isArray(seen.secretsDir) && seen.secretsDir.length === 0), JSON.stringify(seen.secretsDir)).toBe(true);
      expect(seen.yarnrc).toBe(false);
      expect(seen.npmrcs).toEqual([]);
      const running = await inspectContainer(fixture.engine, id);
      expect(JSON.stringify(running?.Config)).not.toContain(TOKEN);
    } finally {
      await removeContainer(fixture.engine, id, { force: true });
    }
  }, 300_000);

  it("an unreachable registry fails the build with the cause and the agent setting that fixes it", async () => {
    const port = await closedPort();
    const dir = writeApp(fixture, "unreachable", {
      "package.json": JSON.stringify({ name: "unreachable-app", version: "1.0.0", dependencies: { "wh-private-dep": "1.0.0" }, scripts: { start: "node -e 0" } }),
    });
    const { req } = request(dir, { registry: registry({ npmRegistry: `http://${hostIp}:${port}/`, npmToken: TOKEN }) });
    const error = (await buildAppImage(req).catch((e: unknown) => e)) as ImageBuildError;
    expect(error).toBeInstanceOf(ImageBuildError);
    expect(error.message).toContain(`Installing dependencies: \`npm install --no-audit --no-fund\` could not use the package registry — connection refused: nothing accepts connections at ${hostIp}:${port}`);
    expect(error.message).toContain("--npm-registry URL (AGENT_NPM_REGISTRY");
    expect(error.message).not.toContain(TOKEN);
  }, 180_000);

  it("build steps cannot reach a service the host binds on loopback", async () => {
    let connections = 0;
    const server = http.createServer((_q, s) => s.end("host-only"));
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const dir = writeApp(fixture, "loopback-build", {
        "Dockerfile": `FROM ${fixture.baseImage}\nRUN ["node", "-e", "fetch('http://127.0.0.1:${port}/').then(() => { console.log('build reached the host'); process.exit(1); }, (e) => console.log('build refused: ' + (e.cause && e.cause.code)))"]\n`,
      });
      const { req, lines } = request(dir, { registry: registry({}) });
      await buildAppImage(req);
      expect(lines).toContain("build refused: ECONNREFUSED");
      expect(connections).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 180_000);
});
