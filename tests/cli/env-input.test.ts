import { describe, expect, it } from "vitest";
import { checkedKeys, varsFromAssignments, varsFromDotenv } from "../../src/cli/env-input";
import { CliError, EXIT } from "../../src/cli/errors";

function refusal(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("wh env import: .env files through the platform's parser", () => {
  it("reads export, quotes, escapes and comments as the dashboard's paste box does", () => {
    const text = [
      "# database",
      "export DATABASE_URL=postgres://u:p@db/app",
      'GREETING="hello\\nworld" # inline comment',
      "SINGLE='$NOT_EXPANDED'",
      "EMPTY=",
      "WITH_HASH=a#b",
      "",
    ].join("\r\n");
    expect(varsFromDotenv(text, ".env")).toEqual({
      DATABASE_URL: "postgres://u:p@db/app",
      GREETING: "hello\nworld",
      SINGLE: "$NOT_EXPANDED",
      EMPTY: "",
      WITH_HASH: "a#b",
    });
  });

  it("refuses the whole file and names every bad line, so nothing half-applies", () => {
    const err = refusal(() => varsFromDotenv(["GOOD=1", "lower=2", "NOEQUALS", 'OPEN="x', "GOOD=3"].join("\n"), "prod.env"));
    expect(err.exitCode).toBe(EXIT.usage);
    expect(err.message).toContain("prod.env has 4 bad lines; nothing was changed");
    expect(err.message).toMatch(/prod\.env:2: Key "lower" must start with an upper-case letter/);
    expect(err.message).toMatch(/prod\.env:3: Expected KEY=value/);
    expect(err.message).toMatch(/prod\.env:4: Quoted value is not closed/);
    expect(err.message).toMatch(/prod\.env:5: GOOD was already set on line 1/);
  });

  it("refuses a file with no variables and one over the platform's size limit", () => {
    expect(refusal(() => varsFromDotenv("# only a comment\n\n", ".env")).message).toContain("sets no variables");
    expect(refusal(() => varsFromDotenv(`BIG=${"x".repeat(600 * 1024)}`, ".env")).message).toMatch(/larger than 512 KiB/);
  });
});

describe("wh env set / unset arguments", () => {
  it("splits KEY=value at the first '=' and keeps the rest of the value as typed", () => {
    expect(varsFromAssignments(["URL=postgres://h/db?sslmode=require", "EMPTY=", "SPACES=a b"])).toEqual({
      URL: "postgres://h/db?sslmode=require",
      EMPTY: "",
      SPACES: "a b",
    });
  });

  it("refuses what the platform would refuse, before anything is sent", () => {
    expect(refusal(() => varsFromAssignments(["TOKEN"])).message).toBe('"TOKEN" is not KEY=value: write it as TOKEN=value.');
    expect(refusal(() => varsFromAssignments(["=x"])).message).toContain("is not KEY=value");
    expect(refusal(() => varsFromAssignments(["my_key=1"])).message).toMatch(/Key "my_key" must start with an upper-case letter/);
    expect(refusal(() => varsFromAssignments(["A=1", "A=2"])).message).toBe("A is given twice.");
    expect(refusal(() => checkedKeys(["OK", "not-ok"])).exitCode).toBe(EXIT.usage);
    expect(checkedKeys(["A", "B", "A"])).toEqual(["A", "B"]);
  });
});
