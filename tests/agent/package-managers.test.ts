import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRegistrySettings } from "../../src/agent/config/registry-settings";
import { createGitRepo } from "./support/git-fixture";
import { packFixturePackage, startRegistryStub, type RegistryStub } from "./support/registry-stub";
import { createRuntime, deployJob, quietReporter, recordEvents, tempStateDir } from "./support/runtime-harness";

/**
 * A project's lockfile names its package manager; when the worker cannot have it, the deploy
 * says why and what to do. The registry corepack asks is a loopback stub serving pnpm's version
 * document without npm's signatures, as some mirrors do.
 */
const state = tempStateDir();
let registry: RegistryStub;
let runtime: ReturnType<typeof createRuntime>;

beforeAll(async () => {
  registry = await startRegistryStub({ name: "pnpm", version: "9.15.0", tarball: packFixturePackage("pnpm", "9.15.0", state.dir) });
  const settings = resolveRegistrySettings({ npmRegistry: registry.url, fetchTimeoutSeconds: 5, fetchRetries: 0 }, { PATH: process.env.PATH, HOME: state.dir });
  runtime = createRuntime(path.join(state.dir, "agent"), recordEvents(), { registry: settings });
}, 60_000);

afterAll(async () => {
  await runtime?.shutdown(true);
  await registry?.close();
  state.cleanup();
});

const server = `require("node:http").createServer((q, s) => s.end("hi")).listen(Number(process.env.PORT));`;
function project(packageManager: string | undefined, lockfile: Record<string, string>) {
  return createGitRepo({
    "package.json": JSON.stringify({ name: "pm-fixture", version: "1.0.0", ...(packageManager ? { packageManager } : {}), scripts: { start: "node server.js" }, dependencies: { ms: "2.1.3" } }),
    "server.js": server,
    ...lockfile,
  });
}

// Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("package managers a worker cannot provide", { timeout: 120_000 }, () => {
  it("pnpm from a registry without npm's signatures: corepack refuses, and the message names --corepack-integrity-keys", async () => {
    const result = await runtime.execute(deployJob(61, project("pnpm@9.15.0", { "pnpm-lock.yaml": "lockfileVersion: '9.0'\n" }).url), quietReporter().reporter);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain("Installing dependencies: `corepack pnpm install --frozen-lockfile` could not use the package registry — package signature:");
    expect(result.error).toContain("--corepack-integrity-keys 0 (AGENT_COREPACK_INTEGRITY_KEYS=0)");
    expect(registry.requests.some((r) => r.url === "/pnpm/9.15.0")).toBe(true);
  });

  it("a pnpm version the registry does not have: told to fix packageManager", async () => {
    const result = await runtime.execute(deployJob(62, project("pnpm@9.99.99", { "pnpm-lock.yaml": "lockfileVersion: '9.0'\n" }).url), quietReporter().reporter);
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('corepack could not get pnpm: the registry has no such version') });
    expect(!result.ok && result.error).toContain('fix "packageManager" in package.json');
  });

  it("a bun lockfile is refused before any install, with the lockfiles that work", async () => {
    const { lines, reporter } = quietReporter();
    const result = await runtime.execute(deployJob(63, project(undefined, { "bun.lock": "{}\n" }).url), reporter);
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("the project's lockfile is bun.lock (bun), and this worker has no bun") });
    // Only git ran: no install was attempted.
    expect(lines.filter((l) => l.startsWith("$ ")).every((l) => l.startsWith("$ git"))).toBe(true);
  });

  it("Yarn 2+ with Plug'n'Play is refused with the .yarnrc.yml setting that makes it work", async () => {
    const result = await runtime.execute(deployJob(64, project("yarn@4.9.2", { "yarn.lock": "__metadata:\n  version: 8\n" }).url), quietReporter().reporter);
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("add `nodeLinker: node-modules` to .yarnrc.yml") });
  });
});
