import { describe, expect, it } from "vitest";
import { ADJECTIVES, NOUNS } from "../../src/server/apps/name-words";
import { appNameProblem, generateAppName, newAppUuid, validateAppNameInput, InvalidAppNameError } from "../../src/server/apps/naming";
import { isValidEnvKey } from "../../src/server/apps/env-key";

describe("ValidateAppNameInput", () => {
  it.each([
    ["short", /7–32 characters/],
    ["a".repeat(33), /7–32 characters/],
    ["My-App-1", /lower-case/],
    ["my_app_1", /lower-case/],
    ["my app 1", /lower-case/],
    ["my.app.1", /lower-case/],
    ["appé-name", /lower-case/],
    ["-my-app1", /start or end with a hyphen/],
    ["my-app1-", /start or end with a hyphen/],
    ["my--app1", /two hyphens/],
    ["dashboard", /reserved/],
    ["traefik", /reserved/],
  ])("refuses %j", (name, message) => {
    expect(appNameProblem(name)).toMatch(message);
    expect(() => validateAppNameInput(name)).toThrow(InvalidAppNameError);
  });

  it.each(["my-app1", "a".repeat(32), "1234567", "api-gateway"])("accepts %j", (name) => {
    expect(appNameProblem(name)).toBeNull();
  });
});

describe("GenerateAppName", () => {
  it("draws adjective-noun-NNNN from two 64-word lists and is always valid", () => {
    expect(ADJECTIVES).toHaveLength(64);
    expect(NOUNS).toHaveLength(64);
    expect(new Set(ADJECTIVES).size).toBe(64);
    expect(new Set(NOUNS).size).toBe(64);
    for (let i = 0; i < 500; i++) {
      const name = generateAppName();
      expect(name).toMatch(/^[a-z]+-[a-z]+-\d{4}$/);
      expect(appNameProblem(name)).toBeNull();
    }
  });
});

describe("NewAppUUID", () => {
  it("is a v4 UUID", () => {
    expect(newAppUuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("ValidEnvKey", () => {
  it.each(["1ABC", "abc", "A".repeat(65), "", "A-B", "_ABC", "ABC DEF"])("refuses %j", (key) => {
    expect(isValidEnvKey(key)).toBe(false);
  });
  it.each(["A", "DATABASE_URL", "A".repeat(64), "X1_2"])("accepts %j", (key) => {
    expect(isValidEnvKey(key)).toBe(true);
  });
});
