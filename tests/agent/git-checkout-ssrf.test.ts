import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentConfigError, loadAgentConfig } from "../../src/agent/config/agent-config";
import { CheckoutError, checkoutCommit } from "../../src/agent/runtime/git-checkout";
import { SourceValidationError, type RepoNetworkPolicy } from "../../src/agent/runtime/repo-source";
import { startDnsZone } from "../jobs/fixtures/dns-zone";
import { eventually } from "./support/runtime-harness";

/**
 * The worker's side of the repository address check (docs/worker-agent.md, "Repository
 * addresses"). Names resolve through a real DNS server on loopback; every address git is allowed
 * to reach is a loopback listener of this test, so nothing leaves the machine.
 */
let dns: Awaited<ReturnType<typeof startDnsZone>>;
let listener: { server: Server; port: number; connections: Buffer[] };
const dirs: string[] = [];

beforeAll(async () => {
  dns = await startDnsZone({ "git.internal.test": ["127.0.0.1"], "mixed.internal.test": ["93.184.216.34", "127.0.0.1"] });
  const connections: Buffer[] = [];
  const server = createServer((socket: Socket) => {
    // Keep the first bytes the client sends (a TLS ClientHello, an SSH banner), then hang up.
    socket.once("data", (chunk) => {
      connections.push(chunk);
      socket.destroy();
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  listener = { server, port: (server.address() as { port: number }).port, connections };
});

afterAll(async () => {
  dns.close();
  await new Promise<void>((resolve) => listener.server.close(() => resolve()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function checkout(repoUrl: string, network: RepoNetworkPolicy) {
  const dir = mkdtempSync(path.join(tmpdir(), "wh-ssrf-"));
  dirs.push(dir);
  const lines: string[] = [];
  const run = checkoutCommit({
    repoUrl,
    branch: "main",
    commitSha: "",
    dir,
    allowLocal: false,
    network,
    timeoutMs: 30_000,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
    onLine: (l) => lines.push(l),
  });
  return { run, lines, dir };
}

const viaDns = (allowCidrs = ""): RepoNetworkPolicy => ({ allowCidrs, resolve: dns.resolve });

describe("clone-time repository address check", () => {
  it.each([
    ["https://git.internal.test/acme/shop.git", /git\.internal\.test resolves to 127\.0\.0\.1, which is not a public internet address/],
    ["git@git.internal.test:acme/shop.git", /git\.internal\.test resolves to 127\.0\.0\.1/],
    ["ssh://git@git.internal.test/acme/shop.git", /git\.internal\.test resolves to 127\.0\.0\.1/],
    ["https://mixed.internal.test/acme/shop.git", /mixed\.internal\.test resolves to 127\.0\.0\.1/],
    ["https://169.254.169.254/latest/meta-data.git", /169\.254\.169\.254 is not a public internet address/],
    ["https://[::ffff:10.0.0.1]/acme/shop.git", /is not a public internet address/],
  ])("refuses %s before git runs, naming the setting that allows it", async (url, message) => {
    const before = listener.connections.length;
    const { run, lines, dir } = checkout(url, viaDns());
    const err = await run.catch((e: Error) => e);
    expect(err).toBeInstanceOf(SourceValidationError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(/--repo-allow-cidrs or AGENT_REPO_ALLOW_CIDRS/);
    expect(lines.some((l) => l.startsWith("$ git clone"))).toBe(false);
    expect(existsSync(path.join(dir, "src"))).toBe(false);
    expect(listener.connections.length).toBe(before);
  });

  it("an allowed name: git connects to the address that was checked, not to a second lookup of the name (https)", async () => {
    const before = listener.connections.length;
    // git.internal.test exists only in the test's DNS server: git can reach it only through the pin.
    const { run, lines } = checkout(`https://git.internal.test:${listener.port}/acme/shop.git`, viaDns("127.0.0.0/8"));
    await expect(run).rejects.toBeInstanceOf(CheckoutError);
    expect(lines).toContain("Repository host git.internal.test is 127.0.0.1");
    await eventually(() => listener.connections.length > before, 10_000, "git connected to the pinned address");
    // A TLS handshake record: curl connected over https to 127.0.0.1 for git.internal.test.
    expect(listener.connections.at(-1)![0]).toBe(0x16);
  });

  it("an allowed name: ssh connects to the checked address too", async () => {
    const before = listener.connections.length;
    const { run } = checkout(`ssh://git@git.internal.test:${listener.port}/acme/shop.git`, viaDns("127.0.0.1/32"));
    await expect(run).rejects.toBeInstanceOf(CheckoutError);
    await eventually(() => listener.connections.length > before, 10_000, "ssh connected to the pinned address");
    expect(listener.connections.at(-1)!.toString("latin1")).toMatch(/^SSH-2\.0-/);
  });

  it("a name that does not resolve fails the clone with a message, without git", async () => {
    const { run, lines } = checkout("https://missing.internal.test/acme/shop.git", viaDns());
    await expect(run).rejects.toThrow(/could not resolve the repository host/);
    expect(lines.some((l) => l.startsWith("$ git clone"))).toBe(false);
  });
});

describe("agent setting --repo-allow-cidrs", () => {
  const base = ["--hub", "http://127.0.0.1:3001", "--name", "w1", "--state-dir", "/tmp/wh-ssrf-agent"];

  it("comes from the flag, else AGENT_REPO_ALLOW_CIDRS, else REPO_ALLOW_CIDRS; none by default", () => {
    const get = (argv: string[], env: Record<string, string>) => {
      const config = loadAgentConfig([...base, ...argv], env);
      if (config === "help") throw new Error("help");
      return config.repoAllowCidrs;
    };
    expect(get([], {})).toBe("");
    expect(get([], { REPO_ALLOW_CIDRS: "10.0.0.0/8" })).toBe("10.0.0.0/8");
    expect(get([], { REPO_ALLOW_CIDRS: "10.0.0.0/8", AGENT_REPO_ALLOW_CIDRS: "192.168.0.0/16" })).toBe("192.168.0.0/16");
    expect(get(["--repo-allow-cidrs", "fd00::/8"], { AGENT_REPO_ALLOW_CIDRS: "192.168.0.0/16" })).toBe("fd00::/8");
  });

  it("an entry that is not a CIDR stops the agent with the setting's name", () => {
    expect(() => loadAgentConfig([...base, "--repo-allow-cidrs", "10.0.0.0/8,intranet"], {})).toThrow(AgentConfigError);
    expect(() => loadAgentConfig([...base, "--repo-allow-cidrs", "10.0.0.0/8,intranet"], {})).toThrow(/repoAllowCidrs: .*"intranet" is not a CIDR/);
  });
});
