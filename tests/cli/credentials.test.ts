import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chooseRollbackTarget } from "../../src/cli/commands/deploy";
import { ConfigStore } from "../../src/cli/config-store";
import { normalisePlatformUrl, resolveCredentials } from "../../src/cli/credentials";
import { EXIT } from "../../src/cli/errors";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function storeWith(config?: { url: string; token: string }): ConfigStore {
  const dir = mkdtempSync(join(tmpdir(), "wh-cli-cred-"));
  dirs.push(dir);
  const store = new ConfigStore(join(dir, "config.json"));
  if (config) store.write(config);
  return store;
}

describe("CLI credentials", () => {
  it("takes the dashboard's address however it was pasted", () => {
    expect(normalisePlatformUrl("https://paas.example.com/")).toBe("https://paas.example.com");
    expect(normalisePlatformUrl("https://paas.example.com/api/v1/")).toBe("https://paas.example.com");
    expect(normalisePlatformUrl("paas.example.com")).toBe("https://paas.example.com");
    expect(normalisePlatformUrl("http://127.0.0.1:3000")).toBe("http://127.0.0.1:3000");
    expect(normalisePlatformUrl("https://example.com/paas")).toBe("https://example.com/paas");
    expect(() => normalisePlatformUrl("ftp://example.com")).toThrow(/is not a URL: give the dashboard's address/);
  });

  it("lets WH_URL and WH_TOKEN win over the stored login, each on its own", () => {
    const store = storeWith({ url: "https://stored.example.com", token: "wh_stored" });
    const warn = () => undefined;
    expect(resolveCredentials({}, store, warn)).toEqual({ url: "https://stored.example.com", token: "wh_stored", source: "config" });
    expect(resolveCredentials({ WH_TOKEN: "wh_ci" }, store, warn)).toEqual({ url: "https://stored.example.com", token: "wh_ci", source: "env" });
    expect(resolveCredentials({ WH_URL: "https://ci.example.com", WH_TOKEN: "wh_ci" }, store, warn)).toEqual({ url: "https://ci.example.com", token: "wh_ci", source: "env" });
  });

  it("says how to log in when there is nothing to use", () => {
    const empty = storeWith();
    expect(() => resolveCredentials({}, empty, () => undefined)).toThrow("No login found: run wh login <url> (or set WH_URL and WH_TOKEN, e.g. in CI).");
    expect(() => resolveCredentials({ WH_URL: "https://x.example.com" }, empty, () => undefined)).toThrow(/^No token found/);
    try {
      resolveCredentials({}, empty, () => undefined);
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(EXIT.unauthorized);
    }
  });
});

describe("wh rollback target", () => {
  const d = (id: number, number: number, status: string) => ({ id, number, status });
  const history = [d(11, 1, "succeeded"), d(12, 2, "failed"), d(13, 3, "succeeded"), d(14, 4, "succeeded"), d(15, 5, "failed")];

  it("defaults to the successful deployment before the one running now", () => {
    expect(chooseRollbackTarget(history, undefined, "shop").number).toBe(3);
  });

  it("takes a per-app number (#3 or 3) before an id", () => {
    expect(chooseRollbackTarget(history, "#1", "shop").id).toBe(11);
    expect(chooseRollbackTarget(history, "3", "shop").id).toBe(13);
    expect(chooseRollbackTarget(history, "14", "shop").number).toBe(4);
  });

  it("names what to do when there is nothing to go back to", () => {
    expect(() => chooseRollbackTarget([d(1, 1, "succeeded")], undefined, "shop")).toThrow("shop has no earlier successful deployment to roll back to: name one with wh rollback shop <number>.");
    expect(() => chooseRollbackTarget(history, "#9", "shop")).toThrow("shop has no deployment #9: wh status shop lists its recent deployments.");
  });
});
