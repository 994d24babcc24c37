import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigStore, configPath } from "../../src/cli/config-store";
import { CliError } from "../../src/cli/errors";

const mode = (path: string) => statSync(path).mode & 0o777;

describe("CLI config store", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "wh-cli-config-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the token with mode 0600 in a 0700 folder it creates, and reads it back", () => {
    const path = join(dir, "nested", "wisehosting", "config.json");
    const store = new ConfigStore(path);
    store.write({ url: "https://paas.example.com", token: "wh_secret", user: "a@example.com", team: "Acme" });
    expect(mode(path)).toBe(0o600);
    expect(mode(join(dir, "nested", "wisehosting"))).toBe(0o700);
    expect(store.read()).toEqual({ url: "https://paas.example.com", token: "wh_secret", user: "a@example.com", team: "Acme" });
  });

  it("replaces a file others could read with a 0600 one and leaves no temporary file", () => {
    const path = join(dir, "config.json");
    writeFileSync(path, JSON.stringify({ url: "https://old.example.com", token: "wh_old" }));
    chmodSync(path, 0o644);
    const warnings: string[] = [];
    new ConfigStore(path).read((line) => warnings.push(line));
    expect(warnings.join("\n")).toContain(`chmod 600 ${path}`);

    new ConfigStore(path).write({ url: "https://new.example.com", token: "wh_new" });
    expect(mode(path)).toBe(0o600);
    expect(JSON.parse(readFileSync(path, "utf8")).token).toBe("wh_new");
    const warningsAfter: string[] = [];
    new ConfigStore(path).read((line) => warningsAfter.push(line));
    expect(warningsAfter).toEqual([]);
    expect(readdirSync(dir)).toEqual(["config.json"]);
  });

  it("answers null when nobody logged in, and removing twice is harmless", () => {
    const store = new ConfigStore(join(dir, "config.json"));
    expect(store.read()).toBeNull();
    store.write({ url: "https://paas.example.com", token: "wh_x" });
    expect(store.remove()).toBe(true);
    expect(store.remove()).toBe(false);
    expect(store.read()).toBeNull();
  });

  it("refuses a damaged file with the command that fixes it", () => {
    const path = join(dir, "config.json");
    writeFileSync(path, "{ not json", { mode: 0o600 });
    expect(() => new ConfigStore(path).read()).toThrow(CliError);
    expect(() => new ConfigStore(path).read()).toThrow(/run wh logout, then wh login again/);
    writeFileSync(path, JSON.stringify({ url: "not a url", token: "" }));
    expect(() => new ConfigStore(path).read()).toThrow(/not a valid wh config file/);
  });

  it("lives at $WH_CONFIG, else under $XDG_CONFIG_HOME, else ~/.config", () => {
    expect(configPath({ WH_CONFIG: "/x/y.json", XDG_CONFIG_HOME: "/xdg", HOME: "/home/u" })).toBe("/x/y.json");
    expect(configPath({ XDG_CONFIG_HOME: "/xdg", HOME: "/home/u" })).toBe("/xdg/wisehosting/config.json");
    expect(configPath({ HOME: "/home/u" })).toBe("/home/u/.config/wisehosting/config.json");
  });
});
