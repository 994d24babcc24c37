import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { runCli } from "./support/run-cli";

/**
 * The `wh` bin as a process, for what needs no platform: usage, missing login, a URL where
 * nothing listens, and a URL where a web server that is not WiseHosting answers. The same
 * against the real platform (wrong token, scopes, deploy) is tests/cli/cli-platform.test.ts.
 */
describe("wh as a process, without a platform", () => {
  let dir: string;
  let config: string;
  let otherSite: Server;
  let otherUrl = "";
  let closedUrl = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wh-cli-proc-"));
    config = join(dir, "config.json");
    // Some other web site on that address: a dashboard URL typo, or another service's port.
    otherSite = createServer((_req, res) => res.writeHead(404, { "content-type": "text/html" }).end("<h1>Not here</h1>"));
    const port = await freePort();
    await new Promise<void>((r) => otherSite.listen(port, "127.0.0.1", r));
    otherUrl = `http://127.0.0.1:${port}`;
    closedUrl = `http://127.0.0.1:${await freePort()}`;
  });
  afterAll(async () => {
    await new Promise((r) => otherSite.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints help with exit 0 and refuses missing arguments with exit 2", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["login", "logout", "teams", "apps", "deploy", "logs", "env", "rollback", "status", "open"]) expect(help.stdout).toContain(command);
    const missing = await runCli(["deploy"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'app'");
  });

  it("says how to log in when there is no login, with exit 3", async () => {
    const run = await runCli(["apps"], { env: { WH_CONFIG: config } });
    expect(run.code).toBe(3);
    expect(run.stderr).toBe("Error: No login found: run wh login <url> (or set WH_URL and WH_TOKEN, e.g. in CI).\n");
    const json = await runCli(["apps", "--json"], { env: { WH_CONFIG: config } });
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: "NOT_LOGGED_IN", exitCode: 3 } });
    expect(json.stdout).toBe("");
  });

  it("names a URL where nothing listens, stores nothing, exit 6", async () => {
    const run = await runCli(["login", closedUrl, "--token-stdin"], { env: { WH_CONFIG: config }, input: "wh_anything\n" });
    expect(run.code).toBe(6);
    expect(run.stderr).toContain(`Cannot reach ${closedUrl}: the connection was refused (nothing listens there). Check the URL`);
    expect(existsSync(config)).toBe(false);
  });

  it("tells a web server that is not WiseHosting from the platform, exit 6", async () => {
    const run = await runCli(["login", otherUrl, "--token-stdin"], { env: { WH_CONFIG: config }, input: "wh_anything\n" });
    expect(run.code).toBe(6);
    expect(run.stderr).toContain(`${otherUrl} does not look like a WiseHosting server: /api/v1/me answered 404 with text/html. Check the URL`);
    expect(existsSync(config)).toBe(false);
    const ci = await runCli(["status", "shop", "--json"], { env: { WH_URL: otherUrl, WH_TOKEN: "wh_x" } });
    expect(ci.code).toBe(6);
    expect(JSON.parse(ci.stderr).error.code).toBe("NOT_WISEHOSTING");
  });

  it("checks a .env file before sending anything", async () => {
    const file = join(dir, "bad.env");
    writeFileSync(file, "GOOD=1\nbad key=2\n");
    // The URL does not answer: a usage error (exit 2) rather than exit 6 shows nothing was sent.
    const run = await runCli(["env", "import", "shop", file], { env: { WH_URL: closedUrl, WH_TOKEN: "wh_x" } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:2: Key "bad key" must start with an upper-case letter`);
    const set = await runCli(["env", "set", "shop", "NOVALUE"], { env: { WH_URL: closedUrl, WH_TOKEN: "wh_x" } });
    expect(set.code).toBe(2);
    expect(set.stderr).toContain('"NOVALUE" is not KEY=value: write it as NOVALUE=value.');
  });
});
