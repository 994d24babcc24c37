import { describe, expect, it } from "vitest";
import { safeReturnPath } from "../../src/server/http/return-path";

/**
 * Issue 12 item 6. Every refused value would leave the site (or reach it only through a second
 * decoding) once a browser normalised it; the check resolves the path as the browser does.
 */
describe("safeReturnPath: only same-origin paths after the browser's own normalisation", () => {
  const refused: [string, unknown][] = [
    ["a tab the URL parser strips", "/\t/evil.example"],
    ["a newline the URL parser strips", "/\n/evil.example"],
    ["a carriage return the URL parser strips", "/\r/evil.example"],
    ["tab before the second slash", "/\t\t/evil.example/path"],
    ["protocol-relative", "//evil.example"],
    ["protocol-relative with a path", "//evil.example/sign-in"],
    ["slash then backslash", "/\\evil.example"],
    ["backslashes only", "\\\\evil.example"],
    ["backslash later in the path", "/apps\\..\\..\\evil"],
    ["encoded slashes", "/%2f%2fevil.example"],
    ["encoded slashes, upper case", "/%2F%2Fevil.example"],
    ["encoded backslash", "/%5cevil.example"],
    ["double-encoded slash", "/%252f%252fevil.example"],
    ["encoded tab", "/%09/evil.example"],
    ["dot segments that climb to //", "/a/../..//evil.example"],
    ["a dot segment before //", "/.//evil.example"],
    ["absolute http URL", "http://evil.example/"],
    ["absolute https URL", "https://evil.example"],
    ["scheme with one slash", "http:/evil.example"],
    ["javascript URL", "javascript:alert(1)"],
    ["data URL", "data:text/html,<script>alert(1)</script>"],
    ["bare host", "evil.example"],
    ["leading space", " /apps"],
    ["NUL", "/apps\u0000"],
    ["DEL", "/apps\u007f"],
    ["escape character", "/\u001b/evil.example"],
    ["empty", ""],
    ["null", null],
    ["undefined", undefined],
    ["too long", `/${"a".repeat(600)}`],
  ];
  it.each(refused)("refuses %s", (_what, value) => {
    expect(safeReturnPath(value as string | null | undefined)).toBe("/");
  });

  const accepted: [string, string, string][] = [
    ["the root", "/", "/"],
    ["a page", "/apps", "/apps"],
    ["a nested page", "/apps/12/logs", "/apps/12/logs"],
    ["a query and a fragment", "/apps/12/logs?stream=stderr#end", "/apps/12/logs?stream=stderr#end"],
    ["an encoded slash in the query only", "/sign-in?next=%2Fapps", "/sign-in?next=%2Fapps"],
    ["dot segments that stay inside", "/apps/./12/../13", "/apps/13"],
  ];
  it.each(accepted)("accepts %s", (_what, value, expected) => {
    expect(safeReturnPath(value)).toBe(expected);
  });

  it("what it returns resolves to the same origin in a real URL parser", () => {
    const base = "https://paas.example.com";
    for (const [, value] of refused) expect(new URL(safeReturnPath(value as string), base).origin).toBe(base);
    for (const [, value] of accepted) expect(new URL(safeReturnPath(value), base).origin).toBe(base);
  });
});
