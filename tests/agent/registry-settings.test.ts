import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AgentConfigError, loadAgentConfig } from "../../src/agent/config/agent-config";
import { npmrcFiles, readNpmConfig, resolveRegistrySettings } from "../../src/agent/config/registry-settings";
import { buildTrust, caBundle } from "../../src/agent/runtime/build-trust";
import { classifyRegistryFailure } from "../../src/agent/runtime/registry-failure";
import { selfSignedCert } from "./support/registry-stub";

const dir = mkdtempSync(path.join(os.tmpdir(), "wh-regset-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fake npm installation on PATH (bin/npm → lib/node_modules/npm/bin/npm-cli.js) with a global npmrc. */
function fakeNpmPrefix(globalNpmrc: string): string {
  const prefix = path.join(dir, "prefix");
  mkdirSync(path.join(prefix, "lib", "node_modules", "npm", "bin"), { recursive: true });
  mkdirSync(path.join(prefix, "bin"), { recursive: true });
  mkdirSync(path.join(prefix, "etc"), { recursive: true });
  writeFileSync(path.join(prefix, "lib", "node_modules", "npm", "bin", "npm-cli.js"), "");
  symlinkSync(path.join(prefix, "lib", "node_modules", "npm", "bin", "npm-cli.js"), path.join(prefix, "bin", "npm"));
  writeFileSync(path.join(prefix, "etc", "npmrc"), globalNpmrc);
  return prefix;
}

describe("registry settings", () => {
  const cert = selfSignedCert(dir);
  const prefix = fakeNpmPrefix(`cafile=${cert.certFile}\n`);
  const home = path.join(dir, "home");
  mkdirSync(home);
  writeFileSync(path.join(home, ".npmrc"), "registry=https://npm.corp.example/repo/\n//npm.corp.example/repo/:_authToken=${CORP_TOKEN}\nhttps-proxy=http://proxy.corp.example:3128\n");
  const env = { PATH: path.join(prefix, "bin"), HOME: home, CORP_TOKEN: "tok-from-env" };

  it("finds the npmrc files the machine's npm reads: builtin, global under npm's prefix, user", () => {
    expect(npmrcFiles(env)).toEqual([path.join(prefix, "lib", "node_modules", "npm", "npmrc"), path.join(prefix, "etc", "npmrc"), path.join(home, ".npmrc")]);
    expect(readNpmConfig(env).values).toMatchObject({ cafile: cert.certFile, registry: "https://npm.corp.example/repo/", "//npm.corp.example/repo/:_authToken": "tok-from-env" });
  });

  it("takes defaults from the agent's npm config and environment, so a machine where npm works needs no flags", () => {
    const s = resolveRegistrySettings({}, { ...env, NODE_EXTRA_CA_CERTS: cert.certFile, NO_PROXY: "localhost" });
    expect(s).toMatchObject({ npmRegistry: "https://npm.corp.example/repo/", caFiles: [cert.certFile], npmToken: "tok-from-env", httpsProxy: "http://proxy.corp.example:3128", noProxy: "localhost" });
    expect(s.sources.caFiles).toBe("NODE_EXTRA_CA_CERTS, npm config cafile (" + path.join(prefix, "etc", "npmrc") + ")");
    expect(s.sources.npmRegistry).toContain(path.join(home, ".npmrc"));
  });

  it("operator settings win over every default; a missing CA file is an error naming the flag", () => {
    const s = resolveRegistrySettings({ npmRegistry: "http://127.0.0.1:4873", npmToken: "op-token", httpsProxy: "http://op-proxy:8080", caFiles: [cert.certFile] }, env);
    expect(s).toMatchObject({ npmRegistry: "http://127.0.0.1:4873/", npmToken: "op-token", httpsProxy: "http://op-proxy:8080", caFiles: [cert.certFile] });
    expect(() => resolveRegistrySettings({ caFiles: [path.join(dir, "nope.pem")] }, env)).toThrow(/--ca-file: .*nope\.pem does not exist/);
    expect(() => resolveRegistrySettings({ npmRegistry: "https://user:pw@r.example/" }, env)).toThrow(/--npm-token/);
  });

  it("agent flags and AGENT_* variables carry them; a bad one stops the agent with the setting named", () => {
    const config = loadAgentConfig(["--hub", "http://127.0.0.1:3001", "--name", "n", "--ca-file", cert.certFile, "--npm-registry", "https://r.example"], { ...env, AGENT_NPM_TOKEN: "t", AGENT_REGISTRY_TIMEOUT_SECONDS: "5" });
    if (config === "help") throw new Error("unexpected help");
    expect(config.registry).toMatchObject({ npmRegistry: "https://r.example/", caFiles: [cert.certFile], npmToken: "t", fetchTimeoutSeconds: 5, fetchRetries: 2 });
    expect(() => loadAgentConfig(["--hub", "http://127.0.0.1:3001", "--name", "n", "--https-proxy", "socks://x"], env)).toThrow(AgentConfigError);
  });

  it("the build gets an npmrc (token only for the registry's host), a CA bundle with the public roots and the extra CA, and the variables pointing at them", async () => {
    const s = resolveRegistrySettings({ caFiles: [cert.certFile] }, env);
    const trust = await buildTrust(s, { npmrc: "/b/.npmrc", yarnrc: "/b/.yarnrc", caBundle: "/b/ca.pem" });
    const npmrc = trust.files.find((f) => f.path === "/b/.npmrc")!;
    expect(npmrc.contents).toContain("registry=https://npm.corp.example/repo/\n");
    expect(npmrc.contents).toContain("//npm.corp.example/repo/:_authToken=tok-from-env\n");
    expect(npmrc.contents).toContain("cafile=/b/ca.pem\n");
    expect(npmrc.secret).toBe(true);
    expect(trust.env).toMatchObject({ NPM_CONFIG_USERCONFIG: "/b/.npmrc", NODE_EXTRA_CA_CERTS: "/b/ca.pem", SSL_CERT_FILE: "/b/ca.pem", HTTPS_PROXY: "http://proxy.corp.example:3128", COREPACK_NPM_TOKEN: "tok-from-env" });
    expect(trust.secretEnv).toEqual(["COREPACK_NPM_TOKEN", "YARN_NPM_AUTH_TOKEN"]);
    expect(trust.summary).not.toContain("tok-from-env");
    const bundle = (await caBundle(s))!;
    expect(bundle).toContain(cert.cert.trim());
    expect(bundle.match(/BEGIN CERTIFICATE/g)!.length).toBeGreaterThan(100);
    // No CA configured: nothing replaces the default trust store.
    const plain = await buildTrust(resolveRegistrySettings({}, { PATH: "", HOME: dir }), { npmrc: "/b/.npmrc", yarnrc: "/b/.yarnrc", caBundle: "/b/ca.pem" });
    expect(plain.env.SSL_CERT_FILE).toBeUndefined();
    expect(plain.files.map((f) => f.path)).not.toContain("/b/ca.pem");
  });

  it("reads the cause out of npm, pnpm, yarn and corepack output", () => {
    const reg = "https://registry.npmjs.org/";
    const cases: Array<[string[], string]> = [
      [["npm error code SELF_SIGNED_CERT_IN_CHAIN", "npm error request to https://registry.npmjs.org/next failed, reason: self-signed certificate in certificate chain"], "tls"],
      [[" ERR_PNPM_META_FETCH_FAIL  GET https://reg.x.invalid/left-pad: request to https://reg.x.invalid/left-pad failed, reason: getaddrinfo ENOTFOUND reg.x.invalid"], "dns"],
      [["error Error: connect ECONNREFUSED 127.0.0.1:47009"], "refused"],
      [[" ERR_PNPM_FETCH_401  GET http://127.0.0.1:47002/left-pad: Unauthorized - 401"], "auth"],
      [["error Error: http://127.0.0.1:47003/left-pad: ESOCKETTIMEDOUT"], "timeout"],
      [["Error: No compatible signature found in package metadata"], "signature"],
    ];
    for (const [lines, cause] of cases) expect(classifyRegistryFailure(lines, reg)?.cause, lines[0]).toBe(cause);
    expect(classifyRegistryFailure(["npm error code E404", "npm error 404 Not Found - GET https://registry.npmjs.org/nope"], reg)).toBeNull();
    expect(classifyRegistryFailure(["error Error: connect ECONNREFUSED 127.0.0.1:47009"], reg)?.host).toBe("127.0.0.1:47009");
  });
});
