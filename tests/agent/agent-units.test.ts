import { chmodSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AgentConfigError, loadAgentConfig } from "../../src/agent/config/agent-config";
import { expiryOf } from "../../src/agent/connection/hub-http";
import { commandWords } from "../../src/agent/runtime/process/command-words";
import { cleanLogLine, LineSplitter } from "../../src/agent/runtime/line-splitter";
import { appMembers, parseStat, readProc } from "../../src/agent/runtime/process/process-table";
import { redactUrl, validateBranch, validateCommitSha, validateRepoUrl } from "../../src/agent/runtime/repo-source";
import { CredentialsStore } from "../../src/agent/state/credentials-store";
import { Backoff } from "../../src/agent/timing/backoff";
import { tempStateDir } from "./support/runtime-harness";

describe("backoff", () => {
  it("doubles up to the cap, jitter stays within bounds, reset starts over", () => {
    const high = new Backoff({ initialMs: 500, maxMs: 4_000, jitter: 0.5, random: () => 1 });
    expect([high.next(), high.next(), high.next(), high.next(), high.next()]).toEqual([500, 1000, 2000, 4000, 4000]);
    high.reset();
    expect(high.next()).toBe(500);
    const low = new Backoff({ initialMs: 500, maxMs: 4_000, jitter: 0.5, random: () => 0 });
    expect([low.next(), low.next()]).toEqual([250, 500]);
  });
});

describe("/proc sampling", () => {
  it("parses stat lines whose command holds spaces and parentheses", () => {
    const line = "4242 (my (odd) app) S 1 4242 4242 0 -1 4194560 500 0 0 0 120 30 5 5 20 0 1 0 98765 1000000 2560 18446744073709551615";
    const info = parseStat(line)!;
    expect(info).toMatchObject({ pid: 4242, ppid: 1, pgrp: 4242, state: "S", cpuTicks: 160, startTime: 98765 });
    expect(info.rssBytes).toBe(2560 * 4096);
  });

  it("reads this very process", () => {
    const me = readProc(process.pid)!;
    expect(me.pid).toBe(process.pid);
    expect(me.rssBytes).toBeGreaterThan(1024 * 1024);
  });

  it("counts the group and every descendant of the root as the app", () => {
    const p = (pid: number, ppid: number, pgrp: number) => ({ pid, ppid, pgrp, state: "S", cpuTicks: 1, startTime: 1, rssBytes: 1 });
    const table = [p(10, 1, 10), p(11, 10, 10), p(12, 11, 12), p(13, 1, 10), p(20, 1, 20)];
    expect(appMembers(table, 10, 10).map((m) => m.pid).sort()).toEqual([10, 11, 12, 13]);
  });
});

describe("input validation before git and spawn", () => {
  it("repository URLs", () => {
    expect(validateRepoUrl("https://github.com/a/b.git", { allowLocal: false })).toBe("https://github.com/a/b.git");
    expect(validateRepoUrl("git@github.com:a/b.git", { allowLocal: false })).toBe("git@github.com:a/b.git");
    expect(validateRepoUrl("file:///srv/repo", { allowLocal: true })).toBe("file:///srv/repo");
    expect(() => validateRepoUrl("file:///srv/repo", { allowLocal: false })).toThrow(/disabled/);
    expect(() => validateRepoUrl("/srv/repo", { allowLocal: true })).toThrow(/not a URL/);
    expect(() => validateRepoUrl("ext::sh -c touch% /tmp/pwned", { allowLocal: true })).toThrow();
    expect(() => validateRepoUrl("--upload-pack=evil", { allowLocal: true })).toThrow(/must not start with '-'/);
    expect(() => validateRepoUrl("ftp://host/repo", { allowLocal: true })).toThrow(/not allowed/);
    expect(redactUrl("https://user:token@github.com/a/b.git")).toBe("https://***@github.com/a/b.git");
  });

  it("branches and commits", () => {
    expect(validateBranch("feature/x-1.2")).toBe("feature/x-1.2");
    for (const bad of ["-x", "a..b", "a b", ".hidden", "a/.b", "x.lock", "a//b", "", "a@{1}", "a~1"]) expect(() => validateBranch(bad)).toThrow();
    expect(validateCommitSha("")).toBe("");
    expect(validateCommitSha("ABCDEF1")).toBe("abcdef1");
    expect(() => validateCommitSha("--all")).toThrow();
  });

  it("commands are split into words without a shell", () => {
    expect(commandWords(`npm run build -- --out "dist dir" 'a b' c\\ d`)).toEqual(["npm", "run", "build", "--", "--out", "dist dir", "a b", "c d"]);
    expect(() => commandWords("npm test && rm -rf /")).toThrow(/without a shell/);
    expect(() => commandWords("echo $(id)")).toThrow(/without a shell/);
    expect(() => commandWords("echo 'open")).toThrow(/unclosed quote/);
  });
});

describe("log lines", () => {
  it("strips ANSI escapes and NUL bytes and caps a line at 8 KiB", () => {
    expect(cleanLogLine("\u001b[31mred\u001b[0m text\u0000")).toBe("red text");
    expect(Buffer.byteLength(cleanLogLine("é".repeat(10_000)))).toBeLessThanOrEqual(8192);
  });

  it("splits chunks into lines across chunk borders", () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push("a\nb");
    s.push("c\r\nd");
    s.flush();
    expect(lines).toEqual(["a", "bc", "d"]);
  });
});

describe("configuration", () => {
  it("reads CLI flags over env, with clear errors", () => {
    const config = loadAgentConfig(["--hub", "http://127.0.0.1:3001", "--name", "node-1", "--cap-cpu", "2"], {
      AGENT_NAME: "ignored",
      AGENT_CAP_MEM: "2048",
      DATA_DIR: "/tmp/whdata",
      WORKER_REGISTRATION_TOKEN: "reg-token-1234567890",
    });
    if (config === "help") throw new Error("unexpected help");
    expect(config).toMatchObject({ hubUrl: "http://127.0.0.1:3001", name: "node-1", capCpu: 2, capMem: 2048, stateDir: "/tmp/whdata/agent", allowLocalRepos: true, ip: "127.0.0.1", wireguardIp: "127.0.0.1" });
    expect(config.stopAppsOnExit).toBe(true);
    expect(loadAgentConfig([], { HUB_URL: "https://hub.example.com", AGENT_NAME: "n" })).toMatchObject({ allowLocalRepos: false, stopAppsOnExit: false });
    expect(loadAgentConfig([], { HUB_URL: "http://127.0.0.1:3001", AGENT_NAME: "n", AGENT_STOP_APPS_ON_EXIT: "false" })).toMatchObject({ stopAppsOnExit: false });
    expect(() => loadAgentConfig(["--name", "Bad Name"], {})).toThrow(AgentConfigError);
    expect(() => loadAgentConfig([], { AGENT_NAME: "n" })).toThrow(/pass --hub or set AGENT_HUB_URL/);
    expect(() => loadAgentConfig(["--hub", "http://h", "--api-key", "short"], {})).toThrow(/at least 32/);
  });

  it("keeps a replaced container serving 10 s by default; AGENT_DRAIN_SECONDS changes it, 0 retires at once", () => {
    const hub = { HUB_URL: "http://127.0.0.1:3001", AGENT_NAME: "n" };
    expect(loadAgentConfig([], hub)).toMatchObject({ drainSeconds: 10 });
    expect(loadAgentConfig([], { ...hub, AGENT_DRAIN_SECONDS: "0" })).toMatchObject({ drainSeconds: 0 });
    expect(loadAgentConfig([], { ...hub, AGENT_DRAIN_SECONDS: "2.5" })).toMatchObject({ drainSeconds: 2.5 });
    expect(() => loadAgentConfig([], { ...hub, AGENT_DRAIN_SECONDS: "-1" })).toThrow(/drainSeconds/);
  });

  it("keeps the API key in a 0600 file and refuses one others can read", async () => {
    const dir = tempStateDir();
    const store = new CredentialsStore(dir.dir);
    await store.save({ name: "n", apiKey: "k".repeat(64), workerId: 3 });
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(await store.load()).toEqual({ name: "n", apiKey: "k".repeat(64), workerId: 3 });
    chmodSync(store.file, 0o644);
    await expect(store.load()).rejects.toThrow(/chmod 600/);
    dir.cleanup();
    expect(path.isAbsolute(store.file)).toBe(true);
  });

  it("takes a token's expiry from its exp claim", () => {
    const claims = Buffer.from(JSON.stringify({ exp: 1_900_000_000 })).toString("base64url");
    expect(expiryOf(`h.${claims}.s`, undefined)).toBe(1_900_000_000_000);
    expect(expiryOf("opaque", "2030-01-01T00:00:00Z")).toBe(Date.parse("2030-01-01T00:00:00Z"));
  });
});
