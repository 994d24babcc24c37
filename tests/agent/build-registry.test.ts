import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRegistrySettings, type RegistryOverrides } from "../../src/agent/config/registry-settings";
import { createGitRepo } from "./support/git-fixture";
import { closedPort, packFixturePackage, selfSignedCert, startRegistryStub, startSilentServer, type RegistryStub } from "./support/registry-stub";
import { createRuntime, deployJob, httpText, quietReporter, recordEvents, tempStateDir } from "./support/runtime-harness";

/**
 * Builds reach the registry with the worker's settings and nothing else of the agent's, and a
 * registry they cannot use fails the deploy with the cause and the setting that fixes it. Every
 * registry here is a real server on loopback (or a name that cannot resolve); npm is the real one.
 */
const state = tempStateDir();
const cert = selfSignedCert(state.dir);
const TOKEN = "stub-registry-token-0123456789";
const AGENT_SECRETS = { WORKER_REGISTRATION_TOKEN: "agent-secret-registration-token-xyz", AGENT_API_KEY: "agent-secret-api-key-0123456789abcdef0123", APP_SECRET: "platform-secret-app-secret-0123456789abcdef" };
let tlsRegistry: RegistryStub;
let httpRegistry: RegistryStub;
const runtimes: Array<ReturnType<typeof createRuntime>> = [];
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  const tarball = packFixturePackage("wh-stub-dep", "1.0.0", state.dir);
  tlsRegistry = await startRegistryStub({ name: "wh-stub-dep", version: "1.0.0", tarball, tls: { cert: cert.cert, key: cert.key }, token: TOKEN });
  httpRegistry = await startRegistryStub({ name: "wh-stub-dep", version: "1.0.0", tarball, token: TOKEN });
  // The agent's own secrets are in its environment; builds must never see them.
  for (const [k, v] of Object.entries(AGENT_SECRETS)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
}, 60_000);

afterAll(async () => {
  for (const r of runtimes) await r.shutdown(true);
  await tlsRegistry?.close();
  await httpRegistry?.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  state.cleanup();
});

/** An app depending on the stub's package; its build dumps its environment, the app serves its own. */
function appRepo() {
  return createGitRepo({
    "package.json": JSON.stringify({
      name: "registry-fixture",
      version: "1.0.0",
      scripts: { build: `node -e "require('fs').writeFileSync('build-env.json', JSON.stringify(process.env))"`, start: "node server.js" },
      dependencies: { "wh-stub-dep": "1.0.0" },
    }),
    "server.js": `require("node:http").createServer((q, s) => s.end(q.url === "/env" ? JSON.stringify(process.env) : require("wh-stub-dep"))).listen(Number(process.env.PORT));`,
  });
}

let nextApp = 300;
async function deployWith(overrides: RegistryOverrides) {
  // Only what the test sets: not this machine's npm config or CA variables.
  const registry = resolveRegistrySettings({ fetchTimeoutSeconds: 2, fetchRetries: 0, ...overrides }, { PATH: process.env.PATH, HOME: state.dir });
  const runtime = createRuntime(path.join(state.dir, `agent-${nextApp}`), recordEvents(), { registry });
  runtimes.push(runtime);
  const { lines, reporter } = quietReporter();
  const appId = nextApp++;
  const result = await runtime.execute(deployJob(appId, appRepo().url), reporter);
  return { result, lines, appId, stateDir: path.join(state.dir, `agent-${appId}`) };
}

// Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("build registry settings", { timeout: 120_000 }, () => {
  it("a private TLS registry with its CA and token: the build installs from it, and neither the token nor the agent's secrets reach the app", async () => {
    const { result, lines, appId, stateDir } = await deployWith({ npmRegistry: tlsRegistry.url, caFiles: [cert.certFile], npmToken: TOKEN });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    expect(await httpText(result.port!)).toBe("from wh-stub-dep");
    expect(tlsRegistry.requests.some((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(lines.join("\n")).toContain(`Package registry: registry ${tlsRegistry.url} · CA files ${cert.certFile}`);
    expect(lines.join("\n")).not.toContain(TOKEN);

    const releases = path.join(stateDir, "apps", String(appId), "releases");
    const [release] = readdirSync(releases);
    const buildEnv = JSON.parse(readFileSync(path.join(releases, release!, "src", "build-env.json"), "utf8")) as Record<string, string>;
    // The build saw the worker's trust settings…
    expect(buildEnv.NODE_EXTRA_CA_CERTS).toMatch(/build-home\/ca-bundle\.pem$/);
    expect(buildEnv.SSL_CERT_FILE).toBe(buildEnv.NODE_EXTRA_CA_CERTS);
    expect(buildEnv.NPM_CONFIG_USERCONFIG).toMatch(/build-home\/\.npmrc$/);
    // …and none of the agent's own secrets.
    for (const secret of Object.values(AGENT_SECRETS)) expect(JSON.stringify(buildEnv)).not.toContain(secret);
    // The build's HOME (npmrc with the token, CA bundle) is gone once the build ended.
    expect(existsSync(path.dirname(buildEnv.NPM_CONFIG_USERCONFIG!))).toBe(false);

    const appEnv = JSON.parse(await httpText(result.port!, "/env")) as Record<string, string>;
    expect(JSON.stringify(appEnv)).not.toContain(TOKEN);
    for (const secret of Object.values(AGENT_SECRETS)) expect(JSON.stringify(appEnv)).not.toContain(secret);
    expect(appEnv.NPM_CONFIG_USERCONFIG).toBeUndefined();
    expect(appEnv.COREPACK_NPM_TOKEN).toBeUndefined();
    expect(appEnv.NODE_EXTRA_CA_CERTS).toBeUndefined();
  });

  it("TLS trust: a registry whose certificate the worker does not trust → names the cause and --ca-file", async () => {
    const { result } = await deployWith({ npmRegistry: tlsRegistry.url, npmToken: TOKEN });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain("Installing dependencies");
    expect(result.error).toContain(`TLS trust: ${new URL(tlsRegistry.url).host} presented a certificate this worker does not trust`);
    expect(result.error).toContain("--ca-file FILE (AGENT_CA_FILE)");
  });

  it("auth: a registry answering 401 without the token → names the cause and --npm-token", async () => {
    const { result } = await deployWith({ npmRegistry: httpRegistry.url });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain("authentication:");
    expect(result.error).toContain("--npm-token TOKEN (AGENT_NPM_TOKEN)");
  });

  it("DNS: a registry name that does not resolve → names the cause and --npm-registry", async () => {
    const { result } = await deployWith({ npmRegistry: "https://registry.wisehosting-test.invalid/" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain("DNS: registry.wisehosting-test.invalid does not resolve on this worker");
    expect(result.error).toContain("--npm-registry URL (AGENT_NPM_REGISTRY");
  });

  it("refused: nothing listens at the registry's address → names the cause", async () => {
    const port = await closedPort();
    const { result } = await deployWith({ npmRegistry: `http://127.0.0.1:${port}/` });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain(`connection refused: nothing accepts connections at 127.0.0.1:${port}`);
  });

  it("timeout: a registry that never answers → names the cause and the proxy and timeout settings", async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const { result } = await deployWith({ npmRegistry: silent.url });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error).toContain(`timeout: ${new URL(silent.url).host} did not answer in time`);
      expect(result.error).toContain("--registry-timeout SECONDS");
      // fetch-timeout 2 s, no retries: npm gives up long before the build's own time limit.
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      await silent.close();
    }
  });
});

