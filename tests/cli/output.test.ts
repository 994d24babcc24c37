import { describe, expect, it } from "vitest";
import { CliError, EXIT } from "../../src/cli/errors";
import { ago, formatLogLine, Output, table } from "../../src/cli/output";

function sinks() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (json: boolean) => new Output(json, { write: (s: string) => stdout.push(s) }, { write: (s: string) => stderr.push(s) }) };
}

describe("CLI output", () => {
  it("with --json, stdout carries only parseable JSON and notices go to stderr", () => {
    const { stdout, stderr, out } = sinks();
    const o = out(true);
    o.info("» deployment #3: building 40%");
    o.result({ apps: [{ name: "shop" }] }, () => "human text");
    o.item({ line: "a" }, () => "a");
    o.item({ line: "b" }, () => "b");
    expect(JSON.parse(stdout[0]!)).toEqual({ apps: [{ name: "shop" }] });
    expect(stdout.slice(1).map((l) => JSON.parse(l))).toEqual([{ line: "a" }, { line: "b" }]);
    expect(stdout.join("")).not.toContain("human text");
    expect(stderr).toEqual(["» deployment #3: building 40%\n"]);
  });

  it("prints errors as a JSON object with the stable code under --json, as one line for people otherwise", () => {
    const err = new CliError("The token was refused.", EXIT.unauthorized, "UNAUTHORIZED");
    const json = sinks();
    json.out(true).error(err);
    expect(JSON.parse(json.stderr[0]!)).toEqual({ error: { code: "UNAUTHORIZED", message: "The token was refused.", exitCode: 3 } });
    expect(json.stdout).toEqual([]);
    const human = sinks();
    human.out(false).error(err);
    expect(human.stderr).toEqual(["Error: The token was refused.\n"]);
  });

  it("lines up table columns and shows empty cells as '-'", () => {
    expect(table(["NAME", "STATUS", "URL"], [["shop", "running", "https://shop.example.com"], ["api-server", "failed", null]])).toEqual([
      "NAME        STATUS   URL",
      "shop        running  https://shop.example.com",
      "api-server  failed   -",
    ]);
  });

  it("formats log lines with their time and a stream tag for stderr", () => {
    expect(formatLogLine({ at: "2026-12-02T16:20:03.120Z", stream: "stdout", line: "listening on 8080" })).toBe("16:20:03 listening on 8080");
    expect(formatLogLine({ at: "2026-12-02T16:20:04Z", stream: "stderr", line: "warn" })).toBe("16:20:04 [stderr] warn");
    expect(formatLogLine({ line: "no time" })).toBe("no time");
    expect(formatLogLine({ at: null, stream: "build", line: "npm ci" })).toBe("npm ci");
  });

  it("says how long ago a time was", () => {
    const now = Date.parse("2026-12-02T12:00:00Z");
    expect(ago("2026-12-02T11:59:30Z", now)).toBe("just now");
    expect(ago("2026-12-02T11:57:00Z", now)).toBe("3 minutes ago");
    expect(ago("2026-12-02T11:00:00Z", now)).toBe("1 hour ago");
    expect(ago("2026-11-29T12:00:00Z", now)).toBe("3 days ago");
    expect(ago(null, now)).toBe("-");
  });
});
